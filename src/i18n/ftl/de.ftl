# Texte für Personen: Deutsch (wie in der öffentlichen Verwaltung Südtirols).
# Gemeinsame Argumente: $code ist "PIN" oder "PUK"; $medium ist "contact"
# (Kontaktleser) oder "contactless" (NFC). Kein Text enthält Ziffern eines Codes, außer
# $half in den Nachrichten zur zweiten Hälfte.

## Ergebnis der PIN- und PUK-Befehle

pin-wrong =
    Falsche { $code }: { $remaining ->
        [1] Es bleibt 1 Versuch.
       *[other] Es bleiben { $remaining } Versuche.
    }{ $remaining ->
        [1] { $code ->
            [PUK] {" "}Ein weiterer Fehler sperrt die PUK endgültig: Dann ist eine neue Identitätskarte erforderlich.
           *[PIN] {" "}Ein weiterer Fehler sperrt die PIN: Zum Entsperren ist dann die PUK erforderlich.
        }
       *[other] {""}
    }
pin-wrong-no-count = Falsche { $code }. Die Karte gibt nicht an, wie viele Versuche verbleiben.
pin-blocked = Die PIN ist gesperrt. Sie kann mit der PUK entsperrt werden; dabei wird eine neue PIN festgelegt.
puk-blocked = Die PUK ist endgültig gesperrt, die PIN kann nicht mehr entsperrt werden. Um die Online-Dienste mit der Karte wieder nutzen zu können, beantragen Sie bitte bei der Gemeinde eine neue Identitätskarte; als Ausweisdokument bleibt die Karte gültig.
pin-last-try-guard =
    { $code ->
        [PUK] Für die PUK bleibt nur noch ein Versuch: Ist der Code falsch, wird die PUK endgültig gesperrt und eine neue Karte ist erforderlich. Bitte bestätigen Sie ausdrücklich, um fortzufahren.
       *[PIN] Für die PIN bleibt nur noch ein Versuch: Ist der Code falsch, wird die PIN gesperrt und die PUK ist erforderlich. Bitte bestätigen Sie ausdrücklich, um fortzufahren.
    }
# PinError::CounterUnreadable: the card cannot tell the counter.
pin-counter-unreadable =
    { $code ->
        [PUK] Die Karte gibt nicht an, wie viele Versuche für die PUK verbleiben: Dieser könnte der letzte sein, und eine gesperrte PUK kann nie mehr entsperrt werden. Bitte bestätigen Sie ausdrücklich, um fortzufahren.
       *[PIN] Die Karte gibt nicht an, wie viele Versuche für die PIN verbleiben: Dieser könnte der letzte sein. Bitte bestätigen Sie ausdrücklich, um fortzufahren.
    }
pin-wrong-length = Die Karte hat die Länge des Codes nicht angenommen. Es wurde kein Versuch verbraucht.
pin-not-authorized = Vorgang nicht zulässig: Zuerst muss der richtige Code eingegeben werden.
pin-state-unknown = Die Karte hat während des Vorgangs einen internen Fehler gemeldet (Code { $sw }): Der Zustand der PIN ist ungewiss. Bitte prüfen Sie den Zustand der Karte, bevor Sie fortfahren.
pin-counter-unknown =
    { $cause ->
        [card-removed] { $medium ->
            [contactless] Die Karte wurde vom Lesegerät entfernt
           *[contact] Die Karte wurde aus dem Lesegerät gezogen
        }
        [reader-gone] Das Lesegerät wurde getrennt
        [no-service] Der Smartcard-Dienst des Systems wurde beendet
        [reset] Die Karte wurde zurückgesetzt
        [timeout] Die Karte hat nicht rechtzeitig geantwortet
       *[other] Die Verbindung zur Karte wurde unterbrochen
    }, während der { $code }-Befehl lief: Es ist nicht bekannt, ob ein Versuch verbraucht wurde. { $cause ->
        [card-removed] { $medium ->
            [contactless] Bitte halten Sie die Karte erneut an das Lesegerät und prüfen Sie
           *[contact] Bitte stecken Sie die Karte erneut ein und prüfen Sie
        }
        [reader-gone] Bitte schließen Sie das Lesegerät wieder an und prüfen Sie
        [no-service] Bitte starten Sie den Smartcard-Dienst und prüfen Sie
       *[other] Bitte prüfen Sie
    } die verbleibenden Versuche, bevor Sie es noch einmal versuchen.
pin-confirmation-mismatch = Die neue PIN und ihre Wiederholung stimmen nicht überein. An die Karte wurde nichts gesendet.
pin-card-answer = Die Karte hat mit dem Code { $sw } geantwortet.

## Regeln für die neue PIN

pin-quality-all-equal = Die neue PIN ist nicht zulässig: Alle Ziffern sind gleich.
pin-quality-ascending = Die neue PIN ist nicht zulässig: Die Ziffern bilden eine aufsteigende Folge.
pin-quality-descending = Die neue PIN ist nicht zulässig: Die Ziffern bilden eine absteigende Folge.
pin-quality-same-as-old = Die neue PIN ist nicht zulässig: Sie ist gleich der bisherigen PIN.

## Von einer Person eingegebene Codes

code-empty = Es wurde kein Code eingegeben.
code-wrong-length =
    { $expected ->
        [4] Jede Hälfte des Codes besteht aus 4 Ziffern
       *[other] Der Code muss aus { $expected } Ziffern bestehen
    }{ $found ->
        [1] : Es wurde 1 Zeichen eingegeben.
       *[other] : Es wurden { $found } Zeichen eingegeben.
    }
code-not-a-digit = Der Code darf nur die Ziffern 0 bis 9 enthalten: Das Zeichen an Position { $position } ist keine Ziffer.
code-wrong-kind = Diese Hälfte gehört zur { $found }, hier ist jedoch eine Hälfte der { $expected } erforderlich.

## Karte und geschützte Verbindung

card-session-closed = Die geschützte Verbindung zur Karte wurde unterbrochen. Bitte wiederholen Sie den Vorgang von Anfang an.
card-security-status-lost = Eine andere Anwendung hat die Karte zurückgesetzt, die Prüfung der PIN ist verloren gegangen. Bitte wiederholen Sie den Vorgang.
card-status = Die Karte hat mit einem Fehler geantwortet (Code { $sw }), und zwar { $step ->
        [select] bei der Auswahl der Anwendung
        [read-file] beim Lesen einer Datei
        [get-data] beim Lesen der Sicherheitsdaten
        [key-agreement] beim Schlüsselaustausch
        [device-authentication] bei der Echtheitsprüfung der Karte
        [pin-command] beim Befehl für den Code
       *[other] bei der Authentifizierung für die Online-Dienste
    }.
card-malformed = Die Antwort der Karte ist unverständlich, und zwar { $step ->
        [select] bei der Auswahl der Anwendung
        [read-file] beim Lesen einer Datei
        [get-data] beim Lesen der Sicherheitsdaten
        [key-agreement] beim Schlüsselaustausch
        [device-authentication] bei der Echtheitsprüfung der Karte
        [pin-command] beim Befehl für den Code
       *[other] bei der Authentifizierung für die Online-Dienste
    }.
card-unprotected = Die Karte hat die geschützte Verbindung beendet. Bitte wiederholen Sie den Vorgang von Anfang an.

## Lesegerät und Verbindung zur Karte

transport-card-removed =
    { $medium ->
        [contactless] Die Karte wurde vom Lesegerät entfernt. Bitte halten Sie sie erneut an das Lesegerät und versuchen Sie es noch einmal.
       *[contact] Die Karte wurde aus dem Lesegerät gezogen. Bitte stecken Sie sie erneut ein und versuchen Sie es noch einmal.
    }
transport-reader-gone = Das Lesegerät ist nicht mehr verfügbar. Bitte prüfen Sie, ob es angeschlossen ist, und versuchen Sie es noch einmal.
transport-no-service = Der Smartcard-Dienst des Systems läuft nicht (pcscd unter Linux und macOS, „Smartcard“ unter Windows). Bitte starten Sie ihn und versuchen Sie es noch einmal.
transport-reset = Die Karte wurde zurückgesetzt, der laufende Vorgang ist verloren gegangen. Bitte wiederholen Sie den Vorgang.
transport-timeout = Die Karte hat nicht rechtzeitig geantwortet. Bitte versuchen Sie es noch einmal.
transport-busy = Die Karte wird von einer anderen Anwendung verwendet. Bitte schließen Sie die andere Anwendung und versuchen Sie es noch einmal.
transport-buffer = Interner Fehler: Die Antwort der Karte überschreitet den vorgesehenen Speicher ({ $needed } Byte).
transport-other = Fehler bei der Verbindung mit dem Lesegerät oder der Karte.

## Verbleibende Versuche

retry-remaining =
    { $remaining ->
        [1] Es bleibt 1 Versuch.
       *[other] Es bleiben { $remaining } Versuche.
    }
retry-verified = Bereits geprüft.
retry-blocked = Gesperrt.
retry-unknown = Die Karte gibt nicht an, wie viele Versuche verbleiben.

## Weitere Fehler der Bibliothek

error-apdu = Interner Fehler bei der Vorbereitung eines Befehls für die Karte.
error-tlv = Die Karte hat Daten in einem unerwarteten Format gesendet.
error-sm = Die geschützte Verbindung zur Karte ist fehlgeschlagen und wurde geschlossen. Bitte wiederholen Sie den Vorgang.
error-auth = Die Echtheit der Karte konnte nicht geprüft werden.
error-emulator = Die virtuelle Karte konnte nicht vorbereitet werden.

## Mitteilungen an die Bürgerin und den Bürger

notify-pec = Die zweite Hälfte eines Codes wird nie an eine PEC-Adresse (zertifizierte E-Mail) gesendet.
notify-not-second-half = Per E-Mail oder SMS wird nur die zweite Hälfte eines Codes gesendet.
notify-gateway = Der Dienst für den Versand von E-Mails oder SMS ist nicht verfügbar: Die Nachricht wird später erneut gesendet.
notify-template = Die Nachrichtenvorlage fehlt oder enthält die Hälfte des Codes nicht genau einmal: Die Nachricht wurde nicht erstellt.

## Ausstellungssystem (Innenministerium)

issuance-invalid-card-number = Die Kartennummer muss aus 9 Zeichen (Buchstaben und Ziffern) bestehen.
issuance-unknown-card = Mit dieser Nummer wurde keine Karte ausgestellt.
issuance-card-not-usable =
    { $state ->
        [revoked] Die Karte ist gesperrt (zum Beispiel nach Diebstahl oder Verlust): Die Codes können nicht neu gedruckt werden.
        [expired] Die Karte ist abgelaufen: Die Codes können nicht neu gedruckt werden.
       *[other] Die Karte kann nicht verwendet werden: Die Codes können nicht neu gedruckt werden.
    }
issuance-bad-signature = Der Auftrag zum Neudruck ist nicht von einer befugten Bediensteten oder einem befugten Bediensteten unterzeichnet.
issuance-order-mismatch = Der Auftrag zum Neudruck betrifft eine andere Karte.
issuance-consent-missing = Die unterschriebene Einverständniserklärung auf Papier, die für den Druck der zweiten Hälfte nötig ist, fehlt.
issuance-unknown-consent-form = Die eingescannte Einverständniserklärung gehört nicht zu dieser Karte.
issuance-empty-scan = Der Scan der Einverständniserklärung ist leer.
issuance-unavailable = Das Ausstellungssystem des Ministeriums ist nicht erreichbar: Es wurde nichts durchgeführt. Bitte versuchen Sie es später noch einmal.

## Schalter und Wiederherstellung der PUK

signer-device = Das Signaturgerät der Bediensteten oder des Bediensteten hat nicht unterschrieben (Dienstkarte fehlt oder PIN nicht geprüft).
desk-journal = Das Vorgangsprotokoll konnte nicht geschrieben werden: Der Vorgang wurde abgebrochen.
desk-store = Die Daten des Schalters konnten nicht gelesen werden.
desk-invariant = Das berechnete Ergebnis verletzt eine Sicherheitsregel: Es wurde nichts durchgeführt. Bitte melden Sie den Fall dem Kundendienst.
desk-anchor = Der Vorgang wurde protokolliert, aber sein Nachweis konnte nicht außerhalb des Archivs hinterlegt werden. Bitte vor dem Fortfahren den Support informieren.
recovery-store = Die Daten des Wiederherstellungsdienstes konnten nicht gelesen oder geschrieben werden.
recovery-registry = Das Kartenregister des Ministeriums ist nicht erreichbar.
recovery-device-key = Die PUK konnte nicht für das Gerät verschlüsselt werden.
recovery-busy = Zu viele laufende Anfragen: Bitte versuchen Sie es in einigen Minuten noch einmal.
recovery-time = Interner Fehler bei der Berechnung der Fristen.

## Schalter: zu sendende zweite Hälften (für die Bediensteten)
## outbox-*: $code ist "PIN" oder "PUK", $to die E-Mail-Adresse. outbox-failure: $kind ist gateway,
## pec, template, half-unavailable oder other; $attempts die Zahl der fehlgeschlagenen Versuche.

outbox-pending = Zweite Hälfte der { $code } an { $to }: noch nicht gesendet.
outbox-sent = Zweite Hälfte der { $code } an { $to } gesendet.
outbox-failure =
    { $kind ->
        [gateway] Der Dienst für den Versand von E-Mails oder SMS war nicht verfügbar
        [pec] Die Adresse ist ein PEC-Postfach, an das die zweite Hälfte nie gesendet wird
        [template] Die Nachrichtenvorlage fehlt oder enthält die Hälfte des Codes nicht genau einmal
        [half-unavailable] Das Ausstellungssystem hat die zu sendende Hälfte nicht geliefert
       *[other] Die Nachricht wurde nicht zum Versand angenommen
    } ({ $attempts ->
        [1] 1 fehlgeschlagener Versuch
       *[other] { $attempts } fehlgeschlagene Versuche
    }).

## Wiederherstellung der PUK: der Abschlusscode (SMS oder E-Mail an die Karteninhaberin oder den Karteninhaber)
## $code ist der Abschlusscode: Er erscheint genau einmal.

recovery-code-subject = CIE: Wiederherstellung der PUK
recovery-code-body = CIE - Wiederherstellung der PUK: Seit Ihrem Antrag sind 48 Stunden vergangen. Um das Verfahren abzuschließen und die PUK anzuzeigen, geben Sie in der App CieID den Code { $code } ein und halten Sie die Karte an Ihr Smartphone.

## Wiederherstellung der PUK in der App: warum der Dienst ablehnt

recovery-refused-no-contacts-registered = Die PUK kann in der App nur wiederhergestellt werden, wenn beim Antrag auf die CIE eine E-Mail-Adresse oder eine Mobilnummer angegeben wurde. Bitte wenden Sie sich an die Gemeinde.
recovery-refused-no-match = Die eingegebene Seriennummer oder die Kontaktdaten stimmen nicht mit jenen überein, die beim Antrag auf die CIE der Gemeinde angegeben wurden.
recovery-refused-card-not-verified = Die Karte konnte nicht geprüft werden: Bitte halten Sie sie erneut an das Smartphone.
recovery-refused-puk-only = Online kann nur die PUK wiederhergestellt werden; mit der PUK wird dann eine neue PIN festgelegt.
recovery-refused-already-open = Für diese Karte läuft bereits eine Wiederherstellung der PUK: Nach Ablauf der 48 Stunden erhalten Sie eine Mitteilung.
recovery-refused-too-early = Aus Sicherheitsgründen ist die PUK erst 48 Stunden nach dem Antrag verfügbar.
recovery-refused-wrong-code =
    Der eingegebene Code ist falsch. { $remaining ->
        [0] Das Verfahren ist abgeschlossen.
        [1] Es bleibt 1 Versuch.
       *[other] Es bleiben { $remaining } Versuche.
    }
recovery-refused-closed = Zu viele falsche Versuche: Das Verfahren ist abgeschlossen. Sie können einen neuen Antrag stellen.
recovery-refused-expired = Das Verfahren wurde nicht rechtzeitig abgeschlossen und ist verfallen. Sie können einen neuen Antrag stellen.
recovery-refused-already-released = Die PUK dieses Verfahrens wurde bereits ausgegeben.
recovery-refused-unknown-procedure = Das angegebene Verfahren existiert nicht.

## Zweite Hälfte per E-Mail und SMS
## Argumente: $comune, $code, $half (die vier Ziffern), $office, $phone, $email; $named ist
## "yes", wenn die Gemeinde einen Namen hat, $contacts "yes", wenn Amt, Telefon und E-Mail bekannt sind.

second-half-subject = { $named ->
        [yes] Gemeinde { $comune }
       *[no] Ihre Gemeinde
    }: zweite Hälfte der { $code } Ihrer elektronischen Identitätskarte
second-half-email =
    Sehr geehrte Karteninhaberin, sehr geehrter Karteninhaber,

    auf Ihren Antrag hat { $named ->
        [yes] die Gemeinde { $comune }
       *[no] Ihre Gemeinde
    } den Neudruck der Codes Ihrer elektronischen Identitätskarte (CIE) veranlasst.

    Die zweite Hälfte der { $code } (Ziffern 5 bis 8) lautet:

    {"    "}{ $half }

    Die erste Hälfte wurde Ihnen am Schalter auf Papier ausgehändigt. Setzen Sie die beiden Hälften in dieser Reihenfolge zusammen: zuerst die vier Ziffern auf Papier, dann diese.

    Geben Sie diesen Code niemandem weiter: Weder die Gemeinde noch das Innenministerium werden Sie jemals danach fragen.

    { $contacts ->
        [yes] Auskünfte: { $office }, Tel. { $phone }, { $email }.
       *[no] Auskünfte erteilt das Meldeamt Ihrer Gemeinde.
    }

    { $named ->
        [yes] Gemeinde { $comune }
       *[no] Ihre Gemeinde
    }
second-half-sms = { $named ->
        [yes] Gemeinde { $comune }
       *[no] Ihre Gemeinde
    }: zweite Hälfte der { $code } Ihrer CIE: { $half }. Geben Sie sie niemandem weiter.{ $contacts ->
        [yes] {" "}Auskünfte: { $phone }
       *[no] {""}
    }

## Hälfte eines Codes
## $half ist "first" oder "second"; $code ist "PIN" oder "PUK".

half-first = erste Hälfte
half-second = zweite Hälfte
half-of =
    { $half ->
        [first] erste Hälfte
       *[second] zweite Hälfte
    } der { $code }

## Schalter: Ergebnis der Prüfung eines Antrags (für die Bediensteten)
## Die Meldungen zu Aushändigungen, Voraussetzungen und Ablehnungen erhalten auch $rule, die
## Kennung der angewandten Regel (R1-R9, M1-M7): neben dem Text anzeigen.

policy-outcome-allowed = Antrag angenommen
policy-outcome-partial = Antrag teilweise angenommen
policy-outcome-deferred = Antrag ausgesetzt
policy-outcome-refused = Antrag abgelehnt
policy-channel-paper = Ausdruck auf Papier
policy-channel-email = Versand per E-Mail
# Persönliche Aushändigung (R3, R6). $requester: holder, parent, representative, delegate.
policy-delivery-in-person =
    { $half ->
        [first] Erste Hälfte
       *[second] Zweite Hälfte
    } der { $code }: Ausdruck auf Papier und Aushändigung an { $requester ->
        [parent] den Elternteil
        [representative] die gesetzliche Vertretung
        [delegate] die bevollmächtigte Person
       *[holder] die Karteninhaberin oder den Karteninhaber
    }.
# Versand per E-Mail (R4).
policy-delivery-email =
    { $half ->
        [first] Erste Hälfte
       *[second] Zweite Hälfte
    } der { $code }: Versand per E-Mail an { $address }.
policy-contact-email = Neue E-Mail-Adresse zur Eintragung: { $address }
policy-contact-mobile = Neue Mobilnummer zur Eintragung: { $number }
policy-subject-request = der Antrag
policy-subject-half =
    { $half ->
        [first] die erste Hälfte
       *[second] die zweite Hälfte
    } der { $code }
policy-subject-contact-email = die Änderung der E-Mail-Adresse
policy-subject-contact-mobile = die Änderung der Mobilnummer

## Schalter: was noch fehlt (die Regel, die es verlangt, steht im Kommentar)

# R1, M6
policy-need-identification = Die antragstellende Person identifizieren: Vorzuweisen ist die CIE oder ein anderer gültiger Ausweis.
# R1
policy-need-digitally-signed-form = Einem Antrag per PEC muss das von der Karteninhaberin oder vom Karteninhaber digital unterzeichnete Formular beiliegen.
# R6
policy-need-paper-consent-form = Das von CieOnline erstellte Vollmachtsformular (die Zustimmung zum Ausdruck auf Papier, nicht zu verwechseln mit einer Vollmacht an Dritte) ausdrucken, von der antragstellenden Person unterschreiben lassen und im System erfassen: Erst danach kann die zweite Hälfte der Codes ausgedruckt werden.
# M1
policy-need-signed-delegation = Die bevollmächtigte Person muss die von der Karteninhaberin oder vom Karteninhaber ausgefüllte und unterschriebene Vollmacht abgeben (den dafür vorgesehenen Teil des Formulars der Gemeinde).
# M1
policy-need-holder-unable-statement = Eine Vollmacht ist nur zulässig, wenn die Karteninhaberin oder der Karteninhaber weder persönlich erscheinen noch das Formular digital unterzeichnen kann: Dazu ist ihre bzw. seine Erklärung erforderlich.
# M4
policy-need-act-of-appointment = Die gesetzliche Vertretung muss eine Kopie der Bestellungsurkunde vorweisen.
# M3
policy-need-medical-certificate = Für den Hausbesuch ist eine Bescheinigung der Hausärztin oder des Hausarztes oder über einen Krankenhausaufenthalt erforderlich, oder ein Nachweis, dass das Amt dauerhaft nicht aufgesucht werden kann.
# M3
policy-need-identity-document-copy = Für den Hausbesuch ist die Kopie eines Ausweises erforderlich.
# M3
policy-need-phone-number = Für den Hausbesuch ist eine Telefonnummer erforderlich, um den Termin zu vereinbaren.
# M5
policy-need-appointment = Ein Termin ist erforderlich: In diesem Zeitraum wird der Dienst nur nach Vormerkung angeboten.
# M3
policy-need-home-visit-date = Das Amt nimmt innerhalb von 30 Tagen ab dem Antrag Kontakt mit der antragstellenden Person auf und legt den Tag des Hausbesuchs fest: Der Neuausdruck erfolgt an diesem Tag.
# M6
policy-need-own-cie = In dieser Gemeinde muss sich die antragstellende Person mit ihrer eigenen elektronischen Identitätskarte ausweisen.
# R9
policy-need-card-of-holder = Prüfen, ob die CIE, für die die Codes beantragt werden, jene der Karteninhaberin oder des Karteninhabers ist (der antragstellenden Person selbst oder der vertretenen Person).
# M7
policy-need-residence = Der Dienst ist den Ansässigen vorbehalten: Im Melderegister der Gemeinde prüfen, ob die Karteninhaberin oder der Karteninhaber hier ansässig ist.
# M1
policy-need-holder-cannot-come = Eine Vollmacht ist nur zulässig, wenn die Karteninhaberin oder der Karteninhaber nicht zum Schalter kommen kann: Dazu ist ihre bzw. seine Erklärung im Vollmachtsformular erforderlich.
# R5
policy-need-confirm-ordinary-mailbox = Die angegebene E-Mail-Adresse gehört keinem bekannten Anbieter: Bevor die zweite Hälfte der Codes dorthin gesendet wird, mit der antragstellenden Person klären, dass es sich um ein gewöhnliches Postfach und nicht um eine PEC handelt.

## Schalter: warum der Antrag (oder ein Teil davon) abgelehnt wird

# R2
policy-refused-nothing-requested = Es wurde weder eine Hälfte der Codes zum Neuausdruck noch eine Änderung der Kontaktdaten angegeben.
# M2
policy-refused-email-request-not-accepted = Anträge auf Neuausdruck per gewöhnlicher E-Mail werden nicht angenommen.
# M2
policy-refused-remote-not-accepted = Diese Gemeinde nimmt über diesen Weg keine Anträge an: Die Karteninhaberin oder der Karteninhaber muss zum Schalter kommen.
# M2
policy-refused-remote-only-from-holder = Ein Antrag aus der Ferne kann nur von der Karteninhaberin oder vom Karteninhaber gestellt werden.
# M3
policy-refused-home-visit-not-offered = Diese Gemeinde bietet keinen Hausbesuch an.
# M1
policy-refused-delegation-not-allowed = Diese Gemeinde erlaubt nicht, Dritte mit der Abholung der Codes zu bevollmächtigen.
# M1
policy-refused-delegate-only-at-counter = Die bevollmächtigte Person kann die Codes nur persönlich am Schalter abholen.
# M4
policy-refused-parent-not-accepted = Diese Gemeinde nimmt den Antrag eines Elternteils der oder des Minderjährigen nicht an.
# M4
policy-refused-holder-not-minor = Die Karteninhaberin oder der Karteninhaber ist volljährig: Ein Elternteil kann den Antrag nicht an ihrer bzw. seiner Stelle stellen.
# M4
policy-refused-representative-not-accepted = Diese Gemeinde nimmt den Antrag der gesetzlichen Vertretung nicht an.
# M5
policy-refused-counter-closed = An diesem Tag und zu dieser Uhrzeit werden am Schalter keine Codes neu ausgedruckt.
# R3
policy-refused-first-half-only-in-person = Die erste Hälfte der Codes wird auf Papier ausgedruckt und nur persönlich ausgehändigt.
# I1
policy-refused-delegate-never-gets-second-half = Der bevollmächtigten Person darf die zweite Hälfte der Codes nicht ausgehändigt werden: Sie wird nur an die im CIE-Portal eingetragenen Kontaktdaten der Karteninhaberin oder des Karteninhabers gesendet.
# R5
policy-refused-pec-address = Die zweite Hälfte der Codes wird nie an eine PEC-Adresse gesendet: Bitte eine gewöhnliche E-Mail-Adresse angeben.
# R4
policy-refused-no-registered-email = Für diese Karte ist keine E-Mail-Adresse eingetragen, an die die zweite Hälfte der Codes gesendet werden kann.
# R6
policy-refused-paper-needs-presence = Die zweite Hälfte auf Papier wird nur persönlich ausgehändigt, nachdem das Vollmachtsformular (Zustimmung zum Ausdruck auf Papier) unterschrieben wurde.
# R7
policy-refused-delegate-cannot-change-contacts = Die bevollmächtigte Person kann die Kontaktdaten nicht ändern: Dies tut die Karteninhaberin oder der Karteninhaber (oder, wo die Gemeinde es vorsieht, ein Elternteil der oder des Minderjährigen oder die gesetzliche Vertretung).
# R7
policy-refused-remote-cannot-change-contacts = Die Kontaktdaten werden aus der Ferne nur auf Antrag der Karteninhaberin oder des Karteninhabers selbst geändert, und zwar über einen Weg, den diese Gemeinde annimmt.
# R7
policy-refused-only-holder-changes-contacts = In dieser Gemeinde können nur die Karteninhaberin oder der Karteninhaber die Kontaktdaten ändern.
# R5
policy-refused-pec-as-contact = Eine PEC-Adresse kann nicht als Kontakt für den Erhalt der Codes eingetragen werden.
# R9
policy-refused-not-holders-card = Es können nur die Codes der eigenen CIE der Karteninhaberin oder des Karteninhabers neu ausgedruckt werden (der antragstellenden oder der vertretenen Person): Die angegebene Karte gehört einer anderen Person.
# M7
policy-refused-not-resident = Der Dienst dieser Gemeinde ist den Ansässigen vorbehalten: Die Karteninhaberin oder der Karteninhaber muss sich an die Wohnsitzgemeinde wenden.

## Aktivierung der CIE-Zugangsdaten: was fehlt (für die Karteninhaberin oder den Karteninhaber)
## Sie erhalten $rule: A1 (Stufen 1 und 2, ohne Karte) oder A2 (Stufe 3, mit Karte).

activation-missing-fiscal-code = Die Steuernummer der Karteninhaberin oder des Karteninhabers ist erforderlich.
activation-missing-fiscal-code-invalid = Die eingegebene Steuernummer ist ungültig: Bitte prüfen Sie die 16 Zeichen.
activation-missing-serial = Die Seriennummer der CIE ist erforderlich: Sie steht rechts oben auf der Karte oder, falls die Karte noch nicht eingetroffen ist, auf der Empfangsbestätigung des Antrags.
activation-missing-serial-invalid = Die eingegebene Seriennummer ist ungültig: Sie besteht aus zwei Buchstaben, fünf Ziffern und zwei Buchstaben (zum Beispiel CA12345AB).
activation-missing-puk-first-half = Die erste Hälfte der PUK ist erforderlich: Sie steht auf der Empfangsbestätigung, die Ihnen die Gemeinde beim Antrag auf die Karte ausgehändigt hat.
activation-missing-pin-half-instead-of-puk = Sie haben die erste Hälfte der PIN eingegeben: Erforderlich ist jene der PUK.
activation-missing-mobile-not-registered = Die Aktivierung ohne Lesen der Karte (Stufen 1 und 2) ist nur möglich, wenn beim Antrag auf die CIE der Gemeinde eine Mobilnummer angegeben wurde.
activation-missing-card = Für Stufe 3 ist die Karte erforderlich; bis sie eintrifft, können die Stufen 1 und 2 gleich nach dem Antrag in der Gemeinde aktiviert werden.
activation-missing-pin = Für Stufe 3 ist die PIN der Karte erforderlich.
activation-missing-reader = Für Stufe 3 ist ein Smartphone mit NFC und der App CieID erforderlich, oder ein Computer mit Chipkartenleser und der CIE-Software.
activation-missing-cie-id-app = Bitte installieren Sie die App CieID auf dem Smartphone mit NFC.
activation-missing-cie-software = Bitte installieren Sie die CIE-Software auf dem Computer, an den der Leser angeschlossen ist.

## Die Regeln in Kürze (für die Bediensteten: neben der Kennung der Regel)

rule-c1 = PIN und PUK bestehen aus je 8 Ziffern
rule-c2 = jeder Code hat eine erste Hälfte (Ziffern 1-4, auf der Empfangsbestätigung des Antrags) und eine zweite Hälfte (Ziffern 5-8, im Umschlag mit der Karte)
rule-c3 = die PIN wird nach 3 aufeinanderfolgenden Fehleingaben gesperrt; die richtige PIN stellt die Versuche wieder her
rule-c4 = die PUK entsperrt eine gesperrte PIN und legt eine neue PIN fest
rule-c5 = die PIN wird durch Eingabe der aktuellen PIN geändert
rule-c6 = die PUK hat eigene Versuche; sind sie aufgebraucht, ist eine neue Karte nötig
rule-a1 = Zugangsdaten der Stufen 1 und 2 ohne Karte: Steuernummer, Kartennummer, erste Hälfte der PUK und registrierte Mobilnummer
rule-a2 = Stufe 3 erfordert die Karte, ihre PIN und ein NFC-Smartphone mit der App CieID oder ein Chipkartenlesegerät
rule-p1 = die Wiederherstellung der PUK ist nur mit bei der Beantragung der Karte hinterlegten Kontaktdaten möglich
rule-p2 = die Karteninhaberin oder der Karteninhaber hält die Karte an und gibt Kartennummer und hinterlegte Kontaktdaten an, die übereinstimmen müssen
rule-p3 = die PUK wird erst nach 48 Stunden mit dem per SMS oder E-Mail gesendeten Code freigegeben, nie früher
rule-p4 = nur die PUK kann online beantragt werden
rule-r1 = die oder der Bedienstete stellt vor dem Neudruck die Identität der antragstellenden Person fest
rule-r2 = eine oder beide Hälften von PIN und PUK werden neu gedruckt
rule-r3 = die erste Hälfte wird am Schalter auf Papier gedruckt
rule-r4 = die zweite Hälfte wird per E-Mail gesendet, an die hinterlegte oder an eine andere angegebene Adresse
rule-r5 = nie an eine PEC-Adresse; eine unbekannte Domain muss als gewöhnliches Postfach bestätigt werden
rule-r6 = zweite Hälfte auf Papier erst nach Erfassung der unterschriebenen Einverständniserklärung
rule-r7 = die Kontaktdaten ändert die Karteninhaberin oder der Karteninhaber (oder wen die Gemeinde zulässt), nie eine bevollmächtigte Person
rule-r8 = der Neudruck am Schalter erfolgt sofort
rule-r9 = neu gedruckt werden nur die Codes der eigenen CIE oder der vertretenen Person
rule-m1 = Vollmacht an Dritte, wie die Gemeinde sie vorsieht
rule-m2 = Anträge aus der Ferne (digital signierte PEC, INAD-Domizil)
rule-m3 = Hausbesuche
rule-m4 = Elternteil einer minderjährigen Person und gesetzliche Vertretung
rule-m5 = Öffnungszeiten und Zeiträume mit Terminvereinbarung
rule-m6 = zugelassene Ausweisdokumente
rule-m7 = für wen der Dienst bestimmt ist (z. B. nur für Ansässige)
rule-i1 = eine bevollmächtigte Person erhält nie eine zweite Hälfte
rule-i2 = eine zweite Hälfte geht nie an eine PEC-Adresse
rule-i3 = zweite Hälfte auf Papier erst nach erfasster Einverständniserklärung
rule-i4 = Kontaktdaten werden nie von einer bevollmächtigten Person oder über einen nicht zugelassenen Kanal geändert
rule-i5 = nichts vor der Identitätsfeststellung und nie für die Karte einer anderen Person
rule-i6 = eine wiederhergestellte PUK wird nie früher als 48 Stunden nach dem Antrag freigegeben
rule-i7 = die beiden Hälften eines Codes werden nie gemeinsam übermittelt
