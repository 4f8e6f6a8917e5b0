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

## Desk: second halves to send (for the officer)
## outbox-*: $code is "PIN" or "PUK", $to the e-mail address. outbox-failure: $kind is gateway,
## pec, template, half-unavailable or other; $attempts the number of failed attempts.

outbox-pending = Second half of the { $code } for { $to }: waiting to be sent.
outbox-sent = Second half of the { $code } sent to { $to }.
outbox-failure =
    { $kind ->
        [gateway] The e-mail or SMS service was not available
        [pec] The address is a PEC mailbox, to which a second half is never sent
        [template] The message template is missing or does not show the half of the code exactly once
        [half-unavailable] The issuance system did not return the half to send
       *[other] The message was not accepted for sending
    } ({ $attempts ->
        [1] 1 failed attempt
       *[other] { $attempts } failed attempts
    }).

## PUK recovery: the completion code (SMS or e-mail to the holder)
## $code is the completion code: it appears exactly once.

recovery-code-subject = CIE: PUK recovery
recovery-code-body = CIE - PUK recovery: 48 hours have passed since your request. To complete the procedure and see the PUK, enter the code { $code } in the CieID app and hold the card to your phone.

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
## Arguments: $comune, $code, $half (the four digits), $office, $phone, $email; $named is
## "yes" when the Comune has a name, $contacts "yes" when office, phone and e-mail are known.

second-half-subject = { $named ->
        [yes] Comune of { $comune }
       *[no] Comune
    }: second half of the { $code } of your electronic identity card
second-half-email =
    Dear card holder,

    at your request, { $named ->
        [yes] the Comune of { $comune }
       *[no] the Comune
    } has reprinted the codes of your electronic identity card (CIE).

    The second half of the { $code } (digits 5 to 8) is:

    {"    "}{ $half }

    The first half was handed to you on paper at the desk. Join the two halves in order: first the four digits on paper, then these.

    Do not share this code with anyone: neither the Comune nor the Ministry of the Interior will ever ask you for it.

    { $contacts ->
        [yes] For information: { $office }, tel. { $phone }, { $email }.
       *[no] For information, please contact the Comune's registry office.
    }

    { $named ->
        [yes] Comune of { $comune }
       *[no] The Comune
    }
second-half-sms = { $named ->
        [yes] Comune of { $comune }
       *[no] Comune
    }: second half of your CIE { $code }: { $half }. Do not share it with anyone.{ $contacts ->
        [yes] {" "}Information: { $phone }
       *[no] {""}
    }

## Half of a code
## $half is "first" or "second"; $code is "PIN" or "PUK".

half-first = first half
half-second = second half
half-of =
    { $half ->
        [first] first half
       *[second] second half
    } of the { $code }

## Desk: outcome of the evaluation of a request (for the officer)
## Messages of deliveries, requirements and refusals also get $rule, the id of the rule
## applied (R1-R9, M1-M7): show it beside the text.

policy-outcome-allowed = Request granted
policy-outcome-partial = Request partly granted
policy-outcome-deferred = Request on hold
policy-outcome-refused = Request refused
policy-channel-paper = printed on paper
policy-channel-email = sent by e-mail
# Handed over in person (R3, R6). $requester: holder, parent, representative, delegate.
policy-delivery-in-person =
    { $half ->
        [first] First half
       *[second] Second half
    } of the { $code }: printed on paper and handed over to { $requester ->
        [parent] the parent
        [representative] the legal representative
        [delegate] the delegate
       *[holder] the holder
    }.
# Sent by e-mail (R4).
policy-delivery-email =
    { $half ->
        [first] First half
       *[second] Second half
    } of the { $code }: sent by e-mail to { $address }.
policy-contact-email = New e-mail address to register: { $address }
policy-contact-mobile = New mobile number to register: { $number }
policy-subject-request = the request
policy-subject-half =
    { $half ->
        [first] the first half
       *[second] the second half
    } of the { $code }
policy-subject-contact-email = the change of the e-mail address
policy-subject-contact-mobile = the change of the mobile number

## Desk: what is still missing (the rule that asks for it in the comment)

# R1, M6
policy-need-identification = Identify the requester: the CIE or another valid identity document must be shown.
# R1
policy-need-digitally-signed-form = A request by PEC must carry the form digitally signed by the holder.
# R6
policy-need-paper-consent-form = Print the delegation form CieOnline generates (the consent to printing on paper, not a delegation to a third person), have the requester sign it and upload it to the system: only then can the second half of the codes be printed.
# M1
policy-need-signed-delegation = The delegate must hand in the delegation filled in and signed by the holder (the part of the Comune's form dedicated to it).
# M1
policy-need-holder-unable-statement = Delegation is allowed only when the holder can neither come nor sign the form digitally: the holder's statement is needed.
# M4
policy-need-act-of-appointment = The legal representative must show a copy of the act of appointment.
# M3
policy-need-medical-certificate = A home visit needs a certificate from the family doctor or of a hospital stay, or proof that the holder is permanently unable to come to the office.
# M3
policy-need-identity-document-copy = A home visit needs a copy of an identity document.
# M3
policy-need-phone-number = A home visit needs a phone number to agree on the appointment.
# M5
policy-need-appointment = An appointment is needed: in this period the service is by appointment only.
# M3
policy-need-home-visit-date = The office contacts the requester within 30 days of the application and fixes the date of the home visit: the reprint takes place on that day.
# M6
policy-need-own-cie = In this Comune the requester must be identified by showing their own electronic identity card.
# R9
policy-need-card-of-holder = Check that the CIE whose codes are asked for is the holder's (the requester's own, or that of the person represented).
# M7
policy-need-residence = The service is for residents only: check in the Comune's population register that the holder is resident.
# M1
policy-need-holder-cannot-come = Delegation is allowed only for a holder who cannot come to the counter: the holder's statement in the delegation form is needed.
# R5
policy-need-confirm-ordinary-mailbox = The e-mail address given is not on a known provider's domain: before the second half of the codes is sent there, confirm with the requester that it is an ordinary mailbox, not a PEC.

## Desk: why the request (or part of it) is refused

# R2
policy-refused-nothing-requested = Neither a half of a code nor a contact change was asked for.
# M2
policy-refused-email-request-not-accepted = Reprint requests by ordinary e-mail are not accepted.
# M2
policy-refused-remote-not-accepted = This Comune does not accept requests through this channel: the holder must come to the counter.
# M2
policy-refused-remote-only-from-holder = A remote request can be made only by the card holder.
# M3
policy-refused-home-visit-not-offered = This Comune does not offer home visits.
# M1
policy-refused-delegation-not-allowed = This Comune does not allow a third person to collect the codes.
# M1
policy-refused-delegate-only-at-counter = A delegate collects the codes only in person at the counter.
# M4
policy-refused-parent-not-accepted = This Comune does not accept the request from the parent of a minor.
# M4
policy-refused-holder-not-minor = The holder is of age: a parent cannot make the request in their place.
# M4
policy-refused-representative-not-accepted = This Comune does not accept the request from a legal representative.
# M5
policy-refused-counter-closed = On this day and at this time the counter does not reprint codes.
# R3
policy-refused-first-half-only-in-person = The first half of the codes is printed on paper and handed over in person only.
# I1
policy-refused-delegate-never-gets-second-half = A delegate never receives the second half of the codes: it goes only to the holder's contacts registered on the CIE portal.
# R5
policy-refused-pec-address = The second half of the codes is never sent to a PEC address: give an ordinary e-mail address.
# R4
policy-refused-no-registered-email = No e-mail address is registered for this card to send the second half of the codes to.
# R6
policy-refused-paper-needs-presence = The second half on paper is handed over only in person, after the delegation form (the consent to printing on paper) is signed.
# R7
policy-refused-delegate-cannot-change-contacts = A delegate cannot change the contacts: the holder does (or, where the Comune allows it, the parent of a minor or the legal representative).
# R7
policy-refused-remote-cannot-change-contacts = Contacts are changed remotely only at the holder's own request, through a channel this Comune accepts.
# R7
policy-refused-only-holder-changes-contacts = In this Comune only the holder may change the contacts.
# R5
policy-refused-pec-as-contact = A PEC address cannot be registered as the contact for receiving the codes.
# R9
policy-refused-not-holders-card = Only the codes of the holder's own CIE (the requester's, or the represented person's) can be reprinted: this card belongs to someone else.
# M7
policy-refused-not-resident = This Comune's service is for its residents only: the holder must turn to the Comune of residence.

## Activation of the CIE credentials: what is missing (for the holder)
## They get $rule: A1 (levels 1 and 2, without the card) or A2 (level 3, with the card).

activation-missing-fiscal-code = The holder's fiscal code is needed.
activation-missing-fiscal-code-invalid = The fiscal code entered is not valid: please check its 16 characters.
activation-missing-serial = The card's serial number is needed: it is printed at the top right of the card or, if the card has not arrived yet, on the receipt of the request.
activation-missing-serial-invalid = The serial number entered is not valid: it is two letters, five digits and two letters (for example CA12345AB).
activation-missing-puk-first-half = The first half of the PUK is needed: it is on the receipt the Comune gave you when the card was requested.
activation-missing-pin-half-instead-of-puk = The first half of the PIN was entered: the first half of the PUK is needed.
activation-missing-mobile-not-registered = Activation without reading the card (levels 1 and 2) is possible only if a mobile number was given to the Comune when the card was requested.
activation-missing-card = Level 3 needs the card; until it arrives, levels 1 and 2 can be activated right after the request at the Comune.
activation-missing-pin = Level 3 needs the card's PIN.
activation-missing-reader = Level 3 needs an NFC smartphone with the CieID app, or a computer with a smart-card reader and the CIE software.
activation-missing-cie-id-app = Please install the CieID app on the NFC smartphone.
activation-missing-cie-software = Please install the CIE software on the computer the reader is connected to.

## The rules, in short (for the officer: beside the rule's id)

rule-c1 = PIN and PUK are 8 digits each
rule-c2 = each code has a first half (digits 1-4, on the receipt of the request) and a second half (digits 5-8, in the envelope with the card)
rule-c3 = the PIN is blocked after 3 wrong tries in a row; the right PIN restores the tries
rule-c4 = the PUK unblocks a blocked PIN and sets a new PIN
rule-c5 = the PIN is changed by giving the current PIN
rule-c6 = the PUK has its own tries; once they run out, a new card is needed
rule-a1 = level 1 and 2 credentials without the card: tax code, card number, first half of the PUK and a registered mobile
rule-a2 = level 3 needs the card, its PIN and an NFC phone with the CieID app or a smart-card reader
rule-p1 = PUK recovery is possible only with contacts registered when the card was requested
rule-p2 = the holder taps the card and gives the card number and the registered contacts, which must match
rule-p3 = the PUK is released only after 48 hours, with the code sent by SMS or e-mail; never earlier
rule-p4 = the PUK alone may be asked for online
rule-r1 = the officer identifies the requester before reprinting
rule-r2 = one or both halves of the PIN and the PUK are reprinted
rule-r3 = the first half is printed on paper at the counter
rule-r4 = the second half is sent by e-mail, to the registered address or to another one given
rule-r5 = never to a PEC address; an unknown domain must be confirmed as an ordinary mailbox
rule-r6 = second half on paper only after the signed consent form has been acquired
rule-r7 = the contacts are changed by the holder (or whom the Comune allows), never by a delegate
rule-r8 = the reprint at the counter is immediate
rule-r9 = only the codes of the holder's own CIE, or of the person represented, are reprinted
rule-m1 = delegation to a third person, as the Comune provides
rule-m2 = remote requests (digitally signed PEC, INAD domicile)
rule-m3 = home visits
rule-m4 = parent of a minor and legal representative
rule-m5 = opening hours and periods by appointment
rule-m6 = identity documents accepted
rule-m7 = who the service is for (e.g. residents only)
rule-i1 = a delegate never receives a second half
rule-i2 = a second half never goes to a PEC address
rule-i3 = second half on paper only after the consent has been acquired
rule-i4 = contacts are never changed by a delegate nor through a channel not accepted
rule-i5 = nothing before identification, and never for someone else's card
rule-i6 = a recovered PUK is never released less than 48 hours after the request
rule-i7 = the two halves of a code never travel together
