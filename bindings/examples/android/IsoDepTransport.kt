// The CIE over Android's NFC: a ForeignTransport of the cie-pinpuk bindings on
// android.nfc.tech.IsoDep, and the PIN story an app runs with it.
//
// Build: the Kotlin sources of bindings/generated/kotlin (package it.cie.pinpuk) in the app
// module, JNA (`net.java.dev.jna:jna:5.x@aar`) as a dependency, and libcie_pinpuk_ffi.so built
// for each Android ABI (for example with `cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64
// build --release` in bindings/) under src/main/jniLibs/<abi>/. The manifest needs
// <uses-permission android:name="android.permission.NFC" />.
//
// NOT COMPILED HERE: this machine has no Android SDK and no recent Kotlin compiler
// (docs/bindings.md says what was compiled and run).

package it.cie.pinpuk.example

import android.app.Activity
import android.nfc.NfcAdapter
import android.nfc.Tag
import android.nfc.TagLostException
import android.nfc.tech.IsoDep
import it.cie.pinpuk.CardMedium
import it.cie.pinpuk.CardSession
import it.cie.pinpuk.CieException
import it.cie.pinpuk.ForeignTransport
import it.cie.pinpuk.LastTry
import it.cie.pinpuk.PinCause
import it.cie.pinpuk.TransportFailure
import java.io.IOException

/**
 * APDUs over [IsoDep]. `IsoDep.transceive` blocks: run every card operation off the main
 * thread (the reader-mode callback already runs on a binder thread).
 */
class IsoDepTransport(private val isoDep: IsoDep) : ForeignTransport {
    init {
        if (!isoDep.isConnected) {
            isoDep.connect()
        }
        // The key agreement and the card's RSA signature take about a second on the chip;
        // Android's default IsoDep timeout (about 300 ms on many phones) is too short.
        isoDep.timeout = 5_000
    }

    override fun transmit(command: ByteArray): ByteArray =
        try {
            isoDep.transceive(command)
        } catch (e: TagLostException) {
            // The card left the field: if this was a PIN command, the crate reports
            // PinCause.CounterUnknown and the next session reads the counter first.
            throw TransportFailure.CardRemoved()
        } catch (e: IOException) {
            if (!isoDep.isConnected) {
                throw TransportFailure.CardRemoved()
            }
            // Never put the command bytes in the reason.
            throw TransportFailure.Other("IsoDep.transceive: ${e.javaClass.simpleName}")
        } catch (e: SecurityException) {
            // The Tag object is stale (another tag was discovered since).
            throw TransportFailure.ReaderGone()
        }

    // 261 on phones without extended-length APDUs (isExtendedLengthApduSupported() false):
    // the crate's commands are all short APDUs, so 261 is enough; a smaller limit makes the
    // adapter refuse a longer command instead of sending it (TransportCause.CommandTooLong).
    override fun maxCommandLength(): UInt = isoDep.maxTransceiveLength.toUInt()

    override fun medium(): CardMedium = CardMedium.CONTACTLESS
}

/**
 * Reader mode: the activity asks the person to hold the CIE to the back of the phone, then
 * verifies the PIN. `pin` comes from the app's PIN field as a String (see docs/bindings.md:
 * a JVM String cannot be wiped; keep it no longer than this call).
 */
class VerifyPinActivityHelper(
    private val activity: Activity,
    private val show: (String) -> Unit,
) : NfcAdapter.ReaderCallback {
    @Volatile var pin: String? = null
    @Volatile var lastTryConfirmed: Boolean = false

    fun start() {
        NfcAdapter.getDefaultAdapter(activity).enableReaderMode(
            activity,
            this,
            NfcAdapter.FLAG_READER_NFC_A or NfcAdapter.FLAG_READER_NFC_B or
                NfcAdapter.FLAG_READER_SKIP_NDEF_CHECK or NfcAdapter.FLAG_READER_NO_PLATFORM_SOUNDS,
            null,
        )
    }

    fun stop() = NfcAdapter.getDefaultAdapter(activity).disableReaderMode(activity)

    override fun onTagDiscovered(tag: Tag) {
        val isoDep = IsoDep.get(tag) ?: return // not an ISO 14443-4 card
        val typed = pin ?: return
        pin = null
        try {
            isoDep.use {
                val session = CardSession.open(IsoDepTransport(it))
                val before = session.pinStatus()
                val after = session.verifyPin(
                    typed,
                    if (lastTryConfirmed) LastTry.CONFIRMED else LastTry.REFUSE,
                )
                session.close()
                show(after.text.it) // "Già verificato."
            }
        } catch (e: CieException.Pin) {
            when (val reason = e.reason) {
                is PinCause.LastTryGuard -> show(e.text.it) // ask, then set lastTryConfirmed
                is PinCause.CounterUnknown -> show(e.text.it) // "...avvicinarla di nuovo..."
                else -> show(e.text.it)
            }
        } catch (e: CieException) {
            show(e.message ?: "")
        }
    }
}
