# Testi per le persone: italiano (lingua di riserva).
# Argomenti comuni: $code è "PIN" o "PUK"; $medium è "contact" (lettore a contatto)
# o "contactless" (NFC). Nessun testo contiene le cifre di un codice, salvo $half nei
# messaggi della seconda metà.

## Esito dei comandi del PIN e del PUK

pin-wrong =
    { $code } errato: { $remaining ->
        [1] resta 1 tentativo.
       *[other] restano { $remaining } tentativi.
    }{ $remaining ->
        [1] { $code ->
            [PUK] {" "}Un altro errore blocca il PUK per sempre: servirà una nuova carta d'identità.
           *[PIN] {" "}Un altro errore blocca il PIN: per sbloccarlo servirà il PUK.
        }
       *[other] {""}
    }
pin-wrong-no-count = { $code } errato. La carta non indica quanti tentativi restano.
pin-blocked = Il PIN è bloccato. Per sbloccarlo occorre il PUK, con cui si sceglie anche un nuovo PIN.
puk-blocked = Il PUK è bloccato in modo definitivo e il PIN non può più essere sbloccato. Per usare di nuovo i servizi online con la carta occorre richiedere una nuova carta d'identità al Comune; la carta resta valida come documento di riconoscimento.
pin-last-try-guard =
    { $code ->
        [PUK] Resta un solo tentativo per il PUK: se il codice è errato, il PUK si blocca per sempre e servirà una nuova carta. Per proseguire occorre confermare espressamente.
       *[PIN] Resta un solo tentativo per il PIN: se il codice è errato, il PIN si blocca e servirà il PUK. Per proseguire occorre confermare espressamente.
    }
# PinError::CounterUnreadable: the card cannot tell the counter.
pin-counter-unreadable =
    { $code ->
        [PUK] La carta non indica quanti tentativi restano per il PUK: questo potrebbe essere l'ultimo, e un PUK bloccato non si può più sbloccare. Per proseguire occorre confermare espressamente.
       *[PIN] La carta non indica quanti tentativi restano per il PIN: questo potrebbe essere l'ultimo. Per proseguire occorre confermare espressamente.
    }
pin-wrong-length = La carta non ha accettato la lunghezza del codice. Nessun tentativo è stato consumato.
pin-not-authorized = Operazione non consentita: occorre prima inserire il codice corretto.
pin-state-unknown = La carta ha segnalato un errore interno durante l'operazione (codice { $sw }): lo stato del PIN non è certo. Controllare lo stato della carta prima di proseguire.
pin-counter-unknown =
    { $cause ->
        [card-removed] { $medium ->
            [contactless] La carta è stata allontanata dal lettore
           *[contact] La carta è stata rimossa dal lettore
        }
        [reader-gone] Il lettore è stato scollegato
        [no-service] Il servizio di sistema per le smart card si è interrotto
        [reset] La carta è stata reinizializzata
        [timeout] La carta non ha risposto in tempo
       *[other] La comunicazione con la carta si è interrotta
    } durante il comando del { $code }: non si sa se un tentativo è stato consumato. { $cause ->
        [card-removed] { $medium ->
            [contactless] Avvicinare di nuovo la carta e controllare
           *[contact] Inserire di nuovo la carta e controllare
        }
        [reader-gone] Ricollegare il lettore e controllare
        [no-service] Avviare il servizio per le smart card e controllare
       *[other] Controllare
    } i tentativi rimasti prima di riprovare.
pin-confirmation-mismatch = Il nuovo PIN e la sua ripetizione non coincidono. Alla carta non è stato inviato nulla.
pin-card-answer = La carta ha risposto con il codice { $sw }.

## Regole per il nuovo PIN

pin-quality-all-equal = Il nuovo PIN non è accettabile: ha tutte le cifre uguali.
pin-quality-ascending = Il nuovo PIN non è accettabile: le cifre sono una sequenza crescente.
pin-quality-descending = Il nuovo PIN non è accettabile: le cifre sono una sequenza decrescente.
pin-quality-same-as-old = Il nuovo PIN non è accettabile: è uguale a quello attuale.

## Codici inseriti dalla persona

code-empty = Non è stato inserito nessun codice.
code-wrong-length =
    { $expected ->
        [4] Ogni metà del codice è composta da 4 cifre
       *[other] Il codice deve essere di { $expected } cifre
    }{ $found ->
        [1] : è stato inserito 1 carattere.
       *[other] : sono stati inseriti { $found } caratteri.
    }
code-not-a-digit = Il codice può contenere solo cifre da 0 a 9: il carattere in posizione { $position } non è una cifra.
code-wrong-kind = Questa metà appartiene al { $found }, ma qui occorre una metà del { $expected }.

## Carta e comunicazione protetta

card-session-closed = La comunicazione protetta con la carta si è interrotta. Ripetere l'operazione dall'inizio.
card-security-status-lost = Un'altra applicazione ha reinizializzato la carta e la verifica del PIN è andata persa. Ripetere l'operazione.
card-status = La carta ha risposto con un errore (codice { $sw }) durante { $step ->
        [select] la selezione dell'applicazione
        [read-file] la lettura di un file
        [get-data] la lettura dei dati di sicurezza
        [key-agreement] lo scambio delle chiavi
        [device-authentication] la verifica di autenticità della carta
        [pin-command] il comando del codice
       *[other] l'autenticazione per i servizi
    }.
card-malformed = La risposta della carta durante { $step ->
        [select] la selezione dell'applicazione
        [read-file] la lettura di un file
        [get-data] la lettura dei dati di sicurezza
        [key-agreement] lo scambio delle chiavi
        [device-authentication] la verifica di autenticità della carta
        [pin-command] il comando del codice
       *[other] l'autenticazione per i servizi
    } non è comprensibile.
card-unprotected = La carta ha interrotto la comunicazione protetta. Ripetere l'operazione dall'inizio.

## Lettore e collegamento con la carta

transport-card-removed =
    { $medium ->
        [contactless] La carta è stata allontanata dal lettore. Avvicinarla di nuovo e riprovare.
       *[contact] La carta è stata rimossa dal lettore. Inserirla di nuovo e riprovare.
    }
transport-reader-gone = Il lettore non è più disponibile. Controllare che sia collegato e riprovare.
transport-no-service = Il servizio di sistema per le smart card non è attivo (pcscd su Linux e macOS, «Smart Card» su Windows). Avviarlo e riprovare.
transport-reset = La carta è stata reinizializzata e l'operazione in corso è andata persa. Ripetere l'operazione.
transport-timeout = La carta non ha risposto in tempo. Riprovare.
transport-busy = La carta è in uso da un'altra applicazione. Chiudere l'altra applicazione e riprovare.
transport-buffer = Errore interno: la risposta della carta supera lo spazio previsto ({ $needed } byte).
transport-other = Errore di comunicazione con il lettore o con la carta.

## Tentativi rimasti

retry-remaining =
    { $remaining ->
        [1] Resta 1 tentativo.
       *[other] Restano { $remaining } tentativi.
    }
retry-verified = Già verificato.
retry-blocked = Bloccato.
retry-unknown = La carta non indica quanti tentativi restano.

## Altri errori della libreria

error-apdu = Errore interno nella preparazione di un comando per la carta.
error-tlv = La carta ha inviato dati in un formato non previsto.
error-sm = La comunicazione protetta con la carta non è riuscita ed è stata chiusa. Ripetere l'operazione.
error-auth = Non è stato possibile verificare l'autenticità della carta.
error-emulator = Non è stato possibile preparare la carta virtuale.

## Avvisi al cittadino

notify-pec = La seconda metà di un codice non si invia mai a un indirizzo PEC.
notify-not-second-half = Per e-mail o SMS si invia soltanto la seconda metà di un codice.
notify-gateway = Il servizio di invio di e-mail o SMS non è disponibile: il messaggio sarà inviato di nuovo più tardi.
notify-template = Il modello del messaggio manca o non riporta la metà del codice esattamente una volta: il messaggio non è stato preparato.

## Sistema di emissione (Ministero dell'Interno)

issuance-invalid-card-number = Il numero della carta deve essere di 9 caratteri, tra lettere e cifre.
issuance-unknown-card = Nessuna carta risulta emessa con questo numero.
issuance-card-not-usable =
    { $state ->
        [revoked] La carta risulta revocata (ad esempio per furto o smarrimento): i codici non possono essere ristampati.
        [expired] La carta è scaduta: i codici non possono essere ristampati.
       *[other] La carta non è utilizzabile: i codici non possono essere ristampati.
    }
issuance-bad-signature = L'ordine di ristampa non è firmato da un operatore autorizzato.
issuance-order-mismatch = L'ordine di ristampa riguarda un'altra carta.
issuance-consent-missing = Manca il modulo di consenso firmato su carta, necessario per la stampa della seconda metà.
issuance-unknown-consent-form = Il modulo di consenso acquisito non appartiene a questa carta.
issuance-empty-scan = La scansione del modulo di consenso è vuota.
issuance-unavailable = Il sistema di emissione del Ministero non è raggiungibile: non è stato fatto nulla. Riprovare più tardi.

## Sportello e recupero del PUK

signer-device = Il dispositivo di firma dell'operatore non ha firmato (carta operatore assente o PIN non verificato).
desk-journal = Non è stato possibile scrivere il registro delle operazioni: l'operazione è stata interrotta.
desk-store = Non è stato possibile leggere l'archivio dello sportello.
desk-invariant = L'esito calcolato viola una regola di sicurezza: non è stato fatto nulla. Segnalare il caso all'assistenza.
desk-anchor = L'operazione è stata registrata, ma non è stato possibile conservarne la prova fuori dall'archivio. Segnalare il caso all'assistenza prima di proseguire.
recovery-store = Non è stato possibile leggere o scrivere l'archivio del servizio di recupero.
recovery-registry = Il registro delle carte del Ministero non è raggiungibile.
recovery-device-key = Non è stato possibile cifrare il PUK per il dispositivo.
recovery-busy = Troppe richieste in corso: riprovare tra qualche minuto.
recovery-time = Errore interno nel calcolo delle scadenze.

## Sportello: seconde metà da inviare (per l'operatore)
## outbox-*: $code è "PIN" o "PUK", $to l'indirizzo e-mail. outbox-failure: $kind è gateway, pec,
## template, half-unavailable o other; $attempts il numero di tentativi non riusciti.

outbox-pending = Seconda metà del { $code } per { $to }: in attesa di invio.
outbox-sent = Seconda metà del { $code } inviata a { $to }.
outbox-failure =
    { $kind ->
        [gateway] Il servizio di invio di e-mail o SMS non era disponibile
        [pec] L'indirizzo è una casella PEC, a cui la seconda metà non viene mai inviata
        [template] Il modello del messaggio manca o non riporta la metà del codice esattamente una volta
        [half-unavailable] Il sistema di emissione non ha restituito la metà da inviare
       *[other] Il messaggio non è stato accettato per l'invio
    } ({ $attempts ->
        [1] 1 tentativo non riuscito
       *[other] { $attempts } tentativi non riusciti
    }).

## Recupero del PUK: il codice di completamento (SMS o e-mail al titolare)
## $code è il codice di completamento: compare una sola volta.

recovery-code-subject = CIE: recupero del PUK
recovery-code-body = CIE - Recupero del PUK: sono trascorse 48 ore dalla richiesta. Per completare la procedura e visualizzare il PUK, inserisca nell'app CieID il codice { $code } e avvicini la carta al telefono.

## Recupero del PUK dall'app: perché il servizio dice di no

recovery-refused-no-contacts-registered = Il recupero del PUK dall'app è possibile solo se alla richiesta della CIE sono stati forniti un indirizzo e-mail o un numero di cellulare. Si rivolga al Comune.
recovery-refused-no-match = Il numero di serie o i contatti inseriti non corrispondono a quelli forniti al Comune alla richiesta della CIE.
recovery-refused-card-not-verified = Non è stato possibile verificare la carta: la avvicini di nuovo allo smartphone.
recovery-refused-puk-only = Online si può recuperare solo il PUK; con il PUK si imposta poi un nuovo PIN.
recovery-refused-already-open = Per questa carta è già in corso una richiesta di recupero del PUK: riceverà un avviso allo scadere delle 48 ore.
recovery-refused-too-early = Per ragioni di sicurezza il PUK è disponibile solo 48 ore dopo la richiesta.
recovery-refused-wrong-code =
    Il codice inserito non è corretto. { $remaining ->
        [0] La procedura è chiusa.
        [1] Resta 1 tentativo.
       *[other] Restano { $remaining } tentativi.
    }
recovery-refused-closed = Troppi tentativi errati: la procedura è chiusa. Può presentare una nuova richiesta.
recovery-refused-expired = La procedura non è stata completata in tempo ed è scaduta. Può presentare una nuova richiesta.
recovery-refused-already-released = Il PUK di questa procedura è già stato rilasciato.
recovery-refused-unknown-procedure = La procedura indicata non esiste.

## Seconda metà per e-mail e SMS
## Argomenti: $comune, $code, $half (le quattro cifre), $office (ufficio), $phone, $email;
## $named è "yes" se il Comune ha un nome, $contacts "yes" se ufficio, telefono ed e-mail sono noti.

second-half-subject = { $named ->
        [yes] Comune di { $comune }
       *[no] Comune
    }: seconda metà del { $code } della carta d'identità elettronica
second-half-email =
    Gentile titolare,

    come da Sua richiesta, { $named ->
        [yes] il Comune di { $comune }
       *[no] il Comune
    } ha disposto la ristampa dei codici della Sua carta d'identità elettronica (CIE).

    La seconda metà del { $code } (cifre dalla 5 alla 8) è:

    {"    "}{ $half }

    La prima metà Le è stata consegnata su carta allo sportello. Unisca le due metà nell'ordine: prima le quattro cifre su carta, poi queste.

    Non comunichi questo codice a nessuno: né il Comune né il Ministero dell'Interno glielo chiederanno mai.

    { $contacts ->
        [yes] Per informazioni: { $office }, tel. { $phone }, { $email }.
       *[no] Per informazioni può rivolgersi all'ufficio anagrafe del Comune.
    }

    { $named ->
        [yes] Comune di { $comune }
       *[no] Il Comune
    }
second-half-sms = { $named ->
        [yes] Comune di { $comune }
       *[no] Comune
    }: seconda metà del { $code } CIE: { $half }. Non la comunichi a nessuno.{ $contacts ->
        [yes] {" "}Informazioni: { $phone }
       *[no] {""}
    }

## Metà di un codice
## $half è "first" o "second"; $code è "PIN" o "PUK".

half-first = prima metà
half-second = seconda metà
half-of =
    { $half ->
        [first] prima metà
       *[second] seconda metà
    } del { $code }

## Sportello: esito della valutazione della richiesta (per l'operatore)
## I messaggi delle consegne, delle richieste e dei rifiuti ricevono anche $rule, l'identificativo
## della regola applicata (R1-R9, M1-M7): va mostrato accanto al testo.

policy-outcome-allowed = Richiesta accolta
policy-outcome-partial = Richiesta accolta in parte
policy-outcome-deferred = Richiesta in sospeso
policy-outcome-refused = Richiesta respinta
policy-channel-paper = stampa su carta
policy-channel-email = invio per e-mail
# Consegna di persona (R3, R6). $requester: holder, parent, representative, delegate.
policy-delivery-in-person =
    { $half ->
        [first] Prima metà
       *[second] Seconda metà
    } del { $code }: stampa su carta e consegna { $requester ->
        [parent] al genitore
        [representative] al rappresentante legale
        [delegate] al delegato
       *[holder] al titolare
    }.
# Invio per e-mail (R4).
policy-delivery-email =
    { $half ->
        [first] Prima metà
       *[second] Seconda metà
    } del { $code }: invio per e-mail a { $address }.
policy-contact-email = Nuovo indirizzo e-mail da registrare: { $address }
policy-contact-mobile = Nuovo numero di cellulare da registrare: { $number }
policy-subject-request = la richiesta
policy-subject-half =
    { $half ->
        [first] la prima metà
       *[second] la seconda metà
    } del { $code }
policy-subject-contact-email = la modifica dell'indirizzo e-mail
policy-subject-contact-mobile = la modifica del numero di cellulare

## Sportello: ciò che manca per procedere (la regola che lo chiede è tra parentesi)

# R1, M6
policy-need-identification = Identificare il richiedente mediante la CIE o un altro documento di riconoscimento in corso di validità.
# R1
policy-need-digitally-signed-form = Alla richiesta inviata tramite PEC deve essere allegato il modulo firmato digitalmente dal titolare.
# R6
policy-need-paper-consent-form = Stampare il modulo di delega generato da CieOnline (il consenso alla stampa su carta, da non confondere con la delega a terzi), farlo firmare al richiedente e acquisirlo a sistema: solo dopo è possibile stampare la seconda metà dei codici.
# M1
policy-need-signed-delegation = Il delegato deve consegnare la delega compilata e firmata dal titolare (la sezione del modulo del Comune dedicata alla delega).
# M1
policy-need-holder-unable-statement = La delega è ammessa solo se il titolare non può presentarsi né firmare digitalmente il modulo: è necessaria la sua dichiarazione.
# M4
policy-need-act-of-appointment = Il rappresentante legale deve esibire copia dell'atto di nomina.
# M3
policy-need-medical-certificate = Per il servizio a domicilio è necessario un certificato del medico di base o di ricovero, oppure documentazione dell'impossibilità permanente di recarsi in ufficio.
# M3
policy-need-identity-document-copy = Per il servizio a domicilio è necessaria la copia di un documento di riconoscimento.
# M3
policy-need-phone-number = Per il servizio a domicilio è necessario un recapito telefonico per concordare l'appuntamento.
# M5
policy-need-appointment = È necessario un appuntamento: in questo periodo il servizio è erogato solo su prenotazione.
# M3
policy-need-home-visit-date = L'ufficio contatta il richiedente entro 30 giorni dalla domanda e fissa la data della visita a domicilio: la ristampa avviene in quel giorno.
# M6
policy-need-own-cie = In questo Comune il richiedente deve identificarsi esibendo la propria carta d'identità elettronica.
# R9
policy-need-card-of-holder = Verificare che la CIE di cui si chiedono i codici sia quella del titolare (del richiedente stesso o della persona che rappresenta).
# M7
policy-need-residence = Il servizio è riservato ai residenti: verificare nell'anagrafe del Comune la residenza del titolare.
# M1
policy-need-holder-cannot-come = La delega è ammessa solo per il titolare che non è in grado di recarsi allo sportello: è necessaria la sua dichiarazione nel modulo di delega.
# R5
policy-need-confirm-ordinary-mailbox = L'indirizzo e-mail indicato non appartiene a un gestore noto: prima di inviarvi la seconda metà dei codici, confermare con il richiedente che si tratta di una casella ordinaria e non di una PEC.

## Sportello: perché la richiesta (o una sua parte) è respinta

# R2
policy-refused-nothing-requested = Non è stata indicata né una metà dei codici da ristampare né una modifica dei contatti.
# M2
policy-refused-email-request-not-accepted = Non si accettano richieste di ristampa tramite posta elettronica ordinaria.
# M2
policy-refused-remote-not-accepted = Questo Comune non accetta richieste attraverso questo canale: il titolare deve presentarsi allo sportello.
# M2
policy-refused-remote-only-from-holder = La richiesta a distanza può essere presentata solo dal titolare della carta.
# M3
policy-refused-home-visit-not-offered = Questo Comune non offre il servizio a domicilio.
# M1
policy-refused-delegation-not-allowed = Questo Comune non consente di delegare a terzi il ritiro dei codici.
# M1
policy-refused-delegate-only-at-counter = Il delegato può ritirare i codici soltanto di persona allo sportello.
# M4
policy-refused-parent-not-accepted = Questo Comune non accetta la richiesta presentata dal genitore del minore.
# M4
policy-refused-holder-not-minor = Il titolare è maggiorenne: il genitore non può presentare la richiesta in sua vece.
# M4
policy-refused-representative-not-accepted = Questo Comune non accetta la richiesta presentata dal rappresentante legale.
# M5
policy-refused-counter-closed = Nel giorno e nell'orario indicati lo sportello non effettua la ristampa dei codici.
# R3
policy-refused-first-half-only-in-person = La prima metà dei codici si stampa su carta e si consegna solo di persona.
# I1
policy-refused-delegate-never-gets-second-half = Al delegato non può essere consegnata la seconda metà dei codici: va inviata solo ai recapiti del titolare registrati sul portale CIE.
# R5
policy-refused-pec-address = La seconda metà dei codici non può essere inviata a un indirizzo PEC: indicare un indirizzo e-mail ordinario.
# R4
policy-refused-no-registered-email = Per questa carta non risulta registrato alcun indirizzo e-mail a cui inviare la seconda metà dei codici.
# R6
policy-refused-paper-needs-presence = La seconda metà su carta si consegna solo di persona, dopo la firma del modulo di delega (consenso alla stampa su carta).
# R7
policy-refused-delegate-cannot-change-contacts = Il delegato non può modificare i contatti: li modifica il titolare (o, dove il Comune lo prevede, il genitore del minore o il rappresentante legale).
# R7
policy-refused-remote-cannot-change-contacts = I contatti si modificano a distanza solo su richiesta del titolare stesso, tramite un canale accettato da questo Comune.
# R7
policy-refused-only-holder-changes-contacts = In questo Comune i contatti possono essere modificati esclusivamente dal titolare.
# R5
policy-refused-pec-as-contact = Un indirizzo PEC non può essere registrato come recapito per ricevere i codici.
# R9
policy-refused-not-holders-card = Si possono ristampare solo i codici della CIE del titolare (del richiedente o della persona che rappresenta): la carta indicata appartiene a un'altra persona.
# M7
policy-refused-not-resident = Il servizio di questo Comune è riservato ai residenti: il titolare deve rivolgersi al proprio Comune di residenza.

## Attivazione delle credenziali CIE: che cosa manca (per il titolare)
## Ricevono $rule: A1 (livelli 1 e 2, senza la carta) o A2 (livello 3, con la carta).

activation-missing-fiscal-code = È necessario il codice fiscale del titolare.
activation-missing-fiscal-code-invalid = Il codice fiscale inserito non è valido: controlli i 16 caratteri.
activation-missing-serial = È necessario il numero di serie della CIE, riportato in alto a destra sulla carta o, se la carta non è ancora arrivata, sulla ricevuta della richiesta.
activation-missing-serial-invalid = Il numero di serie inserito non è valido: deve essere composto da due lettere, cinque cifre e due lettere (ad esempio CA12345AB).
activation-missing-puk-first-half = È necessaria la prima metà del PUK, riportata sulla ricevuta consegnata dal Comune alla richiesta della carta.
activation-missing-pin-half-instead-of-puk = È stata inserita la prima metà del PIN: è necessaria quella del PUK.
activation-missing-mobile-not-registered = L'attivazione senza lettura della carta (livelli 1 e 2) è possibile solo se alla richiesta della CIE è stato comunicato al Comune un numero di cellulare.
activation-missing-card = Per il livello 3 è necessaria la carta; in attesa che arrivi, i livelli 1 e 2 si possono attivare subito dopo la richiesta in Comune.
activation-missing-pin = Per il livello 3 è necessario il PIN della carta.
activation-missing-reader = Per il livello 3 è necessario uno smartphone con NFC e l'app CieID, oppure un computer con lettore di smart card e il Software CIE.
activation-missing-cie-id-app = Installi l'app CieID sullo smartphone con NFC.
activation-missing-cie-software = Installi il Software CIE sul computer collegato al lettore.

## Le regole, in breve (per l'operatore: accanto all'identificativo della regola)

rule-c1 = PIN e PUK sono di 8 cifre ciascuno
rule-c2 = ogni codice ha una prima metà (cifre 1-4, sulla ricevuta della richiesta) e una seconda metà (cifre 5-8, nella busta con la carta)
rule-c3 = il PIN si blocca dopo 3 tentativi errati consecutivi; il PIN corretto ripristina i tentativi
rule-c4 = il PUK sblocca il PIN bloccato e imposta un nuovo PIN
rule-c5 = il PIN si cambia indicando il PIN attuale
rule-c6 = il PUK ha i suoi tentativi; esauriti, serve una nuova carta
rule-a1 = credenziali di livello 1 e 2 senza la carta: codice fiscale, numero della carta, prima metà del PUK e cellulare registrato
rule-a2 = il livello 3 richiede la carta, il suo PIN e un telefono NFC con l'app CieID o un lettore di smart card
rule-p1 = il recupero del PUK è possibile solo con contatti registrati alla richiesta della carta
rule-p2 = il titolare avvicina la carta e indica numero della carta e contatti registrati, che devono corrispondere
rule-p3 = il PUK si ottiene solo dopo 48 ore, con il codice inviato per SMS o e-mail; mai prima
rule-p4 = il solo PUK si può chiedere online
rule-r1 = l'operatore identifica chi fa richiesta prima di ristampare
rule-r2 = si ristampano una o entrambe le metà di PIN e PUK
rule-r3 = la prima metà si stampa su carta allo sportello
rule-r4 = la seconda metà si invia per e-mail, all'indirizzo registrato o a un altro indicato
rule-r5 = mai a un indirizzo PEC; un dominio sconosciuto va confermato come casella ordinaria
rule-r6 = seconda metà su carta solo dopo il modulo di consenso firmato e acquisito
rule-r7 = i contatti li modifica il titolare (o chi il Comune ammette), mai un delegato
rule-r8 = la ristampa allo sportello è immediata
rule-r9 = si ristampano solo i codici della CIE del titolare o della persona rappresentata
rule-m1 = delega a terzi, come la prevede il Comune
rule-m2 = richieste a distanza (PEC firmata digitalmente, domicilio INAD)
rule-m3 = servizio a domicilio
rule-m4 = genitore del minore e rappresentante legale
rule-m5 = orari di apertura e periodi su appuntamento
rule-m6 = documenti di identificazione ammessi
rule-m7 = a chi è rivolto il servizio (es. solo residenti)
rule-i1 = al delegato non va mai la seconda metà
rule-i2 = la seconda metà non va mai a una PEC
rule-i3 = seconda metà su carta solo dopo il consenso acquisito
rule-i4 = i contatti non li cambia un delegato né un canale non ammesso
rule-i5 = nulla prima dell'identificazione e mai per la carta di un altro
rule-i6 = il PUK recuperato non è mai rilasciato prima di 48 ore dalla richiesta
rule-i7 = le due metà di un codice non viaggiano insieme
