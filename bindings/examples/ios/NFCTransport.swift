// The CIE over iOS Core NFC: a ForeignTransport of the cie-pinpuk bindings on
// NFCISO7816Tag, and the PIN story an app runs with it.
//
// Build: bindings/generated/swift/CiePinPuk.swift in the app target, CiePinPukFFI.h and
// CiePinPukFFI.modulemap as a module (or in an XCFramework together with
// libcie_pinpuk_ffi.a built for aarch64-apple-ios and aarch64-apple-ios-sim). The app needs
// the "Near Field Communication Tag Reading" capability and, in Info.plist,
// NFCReaderUsageDescription and com.apple.developer.nfc.readersession.iso7816.select-identifiers
// with the CIE's application identifiers A0000000308000000009816001 (IAS) and
// A0000000000039 (CIE).
//
// NOT COMPILED HERE: this machine has no Swift toolchain and no iOS SDK (docs/bindings.md).

import CoreNFC
import Foundation

/// APDUs over an `NFCISO7816Tag`. Core NFC's `sendCommand` is asynchronous, the bindings'
/// transport is synchronous: `transmit` is called on the background queue that runs the card
/// operation (never on the main queue, never on the session's delegate queue) and waits.
final class NFCTransport: ForeignTransport, @unchecked Sendable {
    private let tag: NFCISO7816Tag
    private let timeout: DispatchTimeInterval = .seconds(5)

    init(tag: NFCISO7816Tag) {
        self.tag = tag
    }

    func transmit(command: Data) throws -> Data {
        guard let apdu = NFCISO7816APDU(data: command) else {
            throw TransportFailure.Other(reason: "not an ISO 7816 APDU")
        }
        let done = DispatchSemaphore(value: 0)
        var answer: Result<Data, TransportFailure> = .failure(.Timeout)
        tag.sendCommand(apdu: apdu) { data, sw1, sw2, error in
            if let error = error as? NFCReaderError {
                switch error.code {
                case .readerTransceiveErrorTagConnectionLost, .readerTransceiveErrorTagNotConnected:
                    answer = .failure(.CardRemoved)
                case .readerSessionInvalidationErrorUserCanceled,
                     .readerSessionInvalidationErrorSessionTimeout,
                     .readerSessionInvalidationErrorSessionTerminatedUnexpectedly:
                    answer = .failure(.ReaderGone)
                default:
                    // Never put the command bytes in the reason.
                    answer = .failure(.Other(reason: "NFCReaderError \(error.code.rawValue)"))
                }
            } else if let error = error {
                answer = .failure(.Other(reason: String(describing: type(of: error))))
            } else {
                var full = data
                full.append(sw1)
                full.append(sw2)
                answer = .success(full)
            }
            done.signal()
        }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            throw TransportFailure.Timeout
        }
        return try answer.get()
    }

    // Without the extended-length entitlement, a command APDU is at most 261 bytes; the
    // crate's commands are all short APDUs.
    func maxCommandLength() -> UInt32 { 261 }

    func medium() -> CardMedium { .contactless }
}

/// Verifies the PIN when the person holds the CIE to the top of the iPhone.
/// `pin` comes from a SecureField as a Swift String (docs/bindings.md: it cannot be wiped;
/// keep it no longer than this call).
final class VerifyPinReader: NSObject, NFCTagReaderSessionDelegate {
    private var session: NFCTagReaderSession?
    private var pin: String?
    private let work = DispatchQueue(label: "cie.card")
    var lastTry: LastTry = .refuse
    var show: (String) -> Void = { _ in }

    func begin(pin: String) {
        self.pin = pin
        session = NFCTagReaderSession(pollingOption: .iso14443, delegate: self, queue: nil)
        session?.alertMessage = "Avvicina la CIE alla parte alta dell'iPhone."
        session?.begin()
    }

    func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession) {}

    func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: Error) {
        pin = nil
    }

    func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag]) {
        guard case let .iso7816(tag)? = tags.first else {
            session.invalidate(errorMessage: "Questa non è una CIE.")
            return
        }
        session.connect(to: tags[0]) { error in
            if error != nil {
                session.invalidate(errorMessage: "La carta è stata allontanata.")
                return
            }
            guard let typed = self.pin else { return }
            self.pin = nil
            self.work.async {
                do {
                    let card = try CardSession.open(transport: NFCTransport(tag: tag))
                    let status = try card.verifyPin(pin: typed, lastTry: self.lastTry)
                    card.close()
                    session.alertMessage = status.text.it
                    session.invalidate()
                } catch let CieError.Pin(reason, text, _) {
                    if case .lastTryGuard = reason {
                        // Ask the person, then set lastTry = .confirmed and start again.
                    }
                    session.invalidate(errorMessage: text.it)
                } catch let error as CieError {
                    session.invalidate(errorMessage: error.localizedDescription)
                } catch {
                    session.invalidate(errorMessage: "Errore imprevisto.")
                }
            }
        }
    }
}
