# Texts for people: English.
# Common arguments: $code is "PIN" or "PUK"; $medium is "contact" (contact reader) or
# "contactless" (NFC). No text holds a digit of a code, except $half in the second-half
# messages.

## Outcome of PIN and PUK commands

pin-wrong =
    Wrong { $code }: { $remaining ->
        [1] 1 try left.
       *[other] { $remaining } tries left.
    }{ $remaining ->
        [1] { $code ->
            [PUK] {" "}One more mistake blocks the PUK for good: a new identity card will be needed.
           *[PIN] {" "}One more mistake blocks the PIN: the PUK will be needed to unblock it.
        }
       *[other] {""}
    }
pin-wrong-no-count = Wrong { $code }. The card does not say how many tries are left.
pin-blocked = The PIN is blocked. It can be unblocked with the PUK, choosing a new PIN at the same time.
puk-blocked = The PUK is blocked for good and the PIN can no longer be unblocked. To use online services with the card again, apply to the Comune for a new identity card; the card remains valid as an identity document.
pin-last-try-guard =
    { $code ->
        [PUK] Only one PUK try is left: if the code is wrong, the PUK is blocked for good and a new card will be needed. Confirm explicitly to go on.
       *[PIN] Only one PIN try is left: if the code is wrong, the PIN is blocked and the PUK will be needed. Confirm explicitly to go on.
    }
# PinError::CounterUnreadable: the card cannot tell the counter.
pin-counter-unreadable =
    { $code ->
        [PUK] The card does not tell how many PUK tries are left: this one could be the last, and a blocked PUK can never be unblocked. Confirm explicitly to go on.
       *[PIN] The card does not tell how many PIN tries are left: this one could be the last. Confirm explicitly to go on.
    }
pin-wrong-length = The card did not accept the length of the code. No try was used.
pin-not-authorized = Operation not allowed: the right code must be entered first.
pin-state-unknown = The card reported an internal error during the operation (code { $sw }): the state of the PIN is uncertain. Check the card's status before going on.
pin-counter-unknown =
    { $cause ->
        [card-removed] { $medium ->
            [contactless] The card was moved away from the reader
           *[contact] The card was taken out of the reader
        }
        [reader-gone] The reader was disconnected
        [no-service] The system's smart card service stopped
        [reset] The card was reset
        [timeout] The card did not answer in time
       *[other] Communication with the card broke off
    } during the { $code } command: it is not known whether a try was used. { $cause ->
        [card-removed] { $medium ->
            [contactless] Hold the card to the reader again and check
           *[contact] Insert the card again and check
        }
        [reader-gone] Connect the reader again and check
        [no-service] Start the smart card service and check
       *[other] Check
    } the tries left before trying again.
pin-confirmation-mismatch = The new PIN and its repetition differ. Nothing was sent to the card.
pin-card-answer = The card answered with code { $sw }.

## Rules for the new PIN

pin-quality-all-equal = The new PIN is not acceptable: all its digits are the same.
pin-quality-ascending = The new PIN is not acceptable: its digits are an ascending sequence.
pin-quality-descending = The new PIN is not acceptable: its digits are a descending sequence.
pin-quality-same-as-old = The new PIN is not acceptable: it is the same as the current one.

## Codes typed by a person

code-empty = No code was entered.
code-wrong-length =
    { $expected ->
        [4] Each half of the code has 4 digits
       *[other] The code must have { $expected } digits
    }{ $found ->
        [1] : 1 character was entered.
       *[other] : { $found } characters were entered.
    }
code-not-a-digit = The code may only contain the digits 0 to 9: the character at position { $position } is not a digit.
code-wrong-kind = This half belongs to the { $found }, but a half of the { $expected } is needed here.

## Card and secure messaging

card-session-closed = The protected connection with the card was interrupted. Repeat the operation from the start.
card-security-status-lost = Another application reset the card and the PIN verification was lost. Repeat the operation.
card-status = The card answered with an error (code { $sw }) during { $step ->
        [select] the selection of the application
        [read-file] the reading of a file
        [get-data] the reading of the security data
        [key-agreement] the key exchange
        [device-authentication] the check that the card is genuine
        [pin-command] the code command
       *[other] the authentication for online services
    }.
card-malformed = The card's answer during { $step ->
        [select] the selection of the application
        [read-file] the reading of a file
        [get-data] the reading of the security data
        [key-agreement] the key exchange
        [device-authentication] the check that the card is genuine
        [pin-command] the code command
       *[other] the authentication for online services
    } cannot be understood.
card-unprotected = The card ended the protected connection. Repeat the operation from the start.

## Reader and link to the card

transport-card-removed =
    { $medium ->
        [contactless] The card was moved away from the reader. Hold it to the reader again and retry.
       *[contact] The card was taken out of the reader. Insert it again and retry.
    }
transport-reader-gone = The reader is no longer available. Check that it is connected and retry.
transport-no-service = The system's smart card service is not running (pcscd on Linux and macOS, "Smart Card" on Windows). Start it and retry.
transport-reset = The card was reset and the operation under way was lost. Repeat the operation.
transport-timeout = The card did not answer in time. Retry.
transport-busy = The card is in use by another application. Close the other application and retry.
transport-buffer = Internal error: the card's answer exceeds the space provided ({ $needed } bytes).
transport-other = Communication error with the reader or the card.

## Tries left

retry-remaining =
    { $remaining ->
        [1] 1 try left.
       *[other] { $remaining } tries left.
    }
retry-verified = Already verified.
retry-blocked = Blocked.
retry-unknown = The card does not say how many tries are left.

## Other errors of the library

error-apdu = Internal error while preparing a command for the card.
error-tlv = The card sent data in an unexpected format.
error-sm = The protected connection with the card failed and was closed. Repeat the operation.
error-auth = The card could not be verified as genuine.
error-emulator = The virtual card could not be prepared.

## Notices to the citizen

notify-pec = The second half of a code is never sent to a PEC address.
notify-not-second-half = Only the second half of a code is sent by e-mail or SMS.
notify-gateway = The e-mail or SMS service is unavailable: the message will be sent again later.
notify-template = The message template is missing or does not show the half of the code exactly once: the message was not prepared.

## Issuance system (Ministry of the Interior)

issuance-invalid-card-number = The card number must be 9 characters, letters and digits.
issuance-unknown-card = No card has been issued with this number.
issuance-card-not-usable =
    { $state ->
        [revoked] The card is revoked (for instance after a theft or a loss): its codes cannot be reprinted.
        [expired] The card has expired: its codes cannot be reprinted.
       *[other] The card cannot be used: its codes cannot be reprinted.
    }
issuance-bad-signature = The reprint order is not signed by an authorised officer.
issuance-order-mismatch = The reprint order is for another card.
issuance-consent-missing = The signed paper consent form, required to print the second half, is missing.
issuance-unknown-consent-form = The scanned consent form does not belong to this card.
issuance-empty-scan = The scan of the consent form is empty.
issuance-unavailable = The Ministry's issuance system cannot be reached: nothing was done. Retry later.

## Desk and PUK recovery

signer-device = The officer's signing device did not sign (operator card missing or PIN not verified).
desk-journal = The operations journal could not be written: the operation was stopped.
desk-store = The desk's records could not be read.
desk-invariant = The computed outcome breaks a security rule: nothing was done. Report the case to support.
desk-anchor = The operation was recorded, but its proof could not be kept outside the store. Report this to support before going on.
recovery-store = The recovery service's records could not be read or written.
recovery-registry = The Ministry's card register cannot be reached.
recovery-device-key = The PUK could not be encrypted for the device.
recovery-busy = Too many requests under way: retry in a few minutes.
recovery-time = Internal error while computing deadlines.

## PUK recovery in the app: why the service says no

recovery-refused-no-contacts-registered = PUK recovery in the app is possible only if an e-mail address or a mobile number was given when the card was requested. Please contact the Comune.
recovery-refused-no-match = The serial number or the contacts entered do not match those given to the Comune when the card was requested.
recovery-refused-card-not-verified = The card could not be verified: hold it to the phone again.
recovery-refused-puk-only = Only the PUK can be recovered online; a new PIN is then set with the PUK.
recovery-refused-already-open = A PUK recovery for this card is already in progress: a notice will come when the 48 hours are over.
recovery-refused-too-early = For security reasons the PUK is available only 48 hours after the request.
recovery-refused-wrong-code =
    The code entered is wrong. { $remaining ->
        [0] The procedure is closed.
        [1] 1 try left.
       *[other] { $remaining } tries left.
    }
recovery-refused-closed = Too many wrong attempts: the procedure is closed. A new request can be made.
recovery-refused-expired = The procedure was not completed in time and has expired. A new request can be made.
recovery-refused-already-released = The PUK of this procedure was already released.
recovery-refused-unknown-procedure = The procedure given does not exist.

## Second half by e-mail and SMS
## Arguments: $comune, $code, $half (the four digits), $office, $phone, $email.

second-half-subject = Comune of { $comune }: second half of the { $code } of your electronic identity card
second-half-email =
    Dear card holder,

    at your request, the Comune of { $comune } has reprinted the codes of your electronic identity card (CIE).

    The second half of the { $code } (digits 5 to 8) is:

        { $half }

    The first half was handed to you on paper at the desk. Join the two halves in order: first the four digits on paper, then these.

    Do not share this code with anyone: neither the Comune nor the Ministry of the Interior will ever ask you for it.

    For information: { $office }, tel. { $phone }, { $email }.

    Comune of { $comune }
second-half-sms = Comune of { $comune }: second half of your CIE { $code }: { $half }. Do not share it with anyone. Information: { $phone }
