//! The integrator example (examples/integrator.rs, public API only) gets a localised,
//! cause-preserving message for each of the eight cases of issue 16, in every bundled
//! language and for both media.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/integrator.rs"]
mod integrator;

use cie_pinpuk::i18n::{Medium, Texts};

fn texts_of(lang: &str, medium: Medium) -> Vec<(String, String, Vec<String>)> {
    let loc = Texts::bundled().localizer_for(lang).with_medium(medium);
    integrator::cases(&loc)
        .unwrap()
        .into_iter()
        .map(|c| (c.title.to_string(), c.text, c.causes))
        .collect()
}

#[test]
fn e1_eight_cases_each_with_its_own_text_and_cause() {
    let it = texts_of("it", Medium::Contact);
    let titles: Vec<&str> = it.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(
        titles,
        [
            "wrong PIN",
            "last try",
            "PIN blocked",
            "card removed during the PIN command",
            "card removed",
            "reader gone",
            "pcscd not running",
            "notifier down",
            "issuance system down",
        ]
    );
    let expect_it = [
        "PIN errato: restano 2 tentativi.",
        "Resta un solo tentativo per il PIN",
        "Il PIN è bloccato.",
        "La carta è stata rimossa dal lettore durante il comando del PIN",
        "La carta è stata rimossa dal lettore. Inserirla di nuovo",
        "Il lettore non è più disponibile.",
        "Il servizio di sistema per le smart card non è attivo",
        "Il servizio di invio di e-mail o SMS non è disponibile",
        "Il sistema di emissione del Ministero non è raggiungibile",
    ];
    for ((title, text, _), expect) in it.iter().zip(expect_it) {
        assert!(text.starts_with(expect), "{title}: {text}");
    }
    // Nine different texts.
    let distinct: std::collections::BTreeSet<_> = it.iter().map(|(_, t, _)| t).collect();
    assert_eq!(distinct.len(), it.len());
    // The causes are kept down to the transport, gateway or issuance error.
    let causes = |title: &str| it.iter().find(|(t, _, _)| t == title).unwrap().2.clone();
    assert_eq!(
        causes("card removed during the PIN command"),
        [
            "the PIN command was interrupted (the card was removed): whether a try was spent is unknown",
            "the card was removed"
        ]
    );
    assert_eq!(
        causes("notifier down"),
        [
            "the mail or SMS gateway failed",
            "sms-gateway.example.it:443: connection refused"
        ]
    );
    assert_eq!(causes("issuance system down").len(), 2);
    assert_eq!(
        causes("pcscd not running"),
        ["the smart card service (pcscd) is not running"]
    );
}

#[test]
fn e2_the_cases_in_english_german_and_for_nfc() {
    let en = texts_of("en", Medium::Contact);
    assert!(
        en[3]
            .1
            .starts_with("The card was taken out of the reader during the PIN command")
    );
    let de = texts_of("de-IT", Medium::Contactless);
    assert!(
        de[4]
            .1
            .starts_with("Die Karte wurde vom Lesegerät entfernt. Bitte halten Sie"),
        "{}",
        de[4].1
    );
    assert!(de[7].1.contains("später erneut gesendet"), "{}", de[7].1);
    let it_nfc = texts_of("it", Medium::Contactless);
    assert!(
        it_nfc[3].1.contains("allontanata") && it_nfc[3].1.contains("Avvicinare"),
        "{}",
        it_nfc[3].1
    );
}
