//! Cost of the texts: building the bundled catalogue and a localizer (once per process or
//! per language), and rendering one message (per error shown), beside `Display` of the same
//! error as the reference, in one group so they run interleaved.

use std::hint::black_box;

use cie_pinpuk::card::PinError;
use cie_pinpuk::codes::CodeKind;
use cie_pinpuk::i18n::Texts;
use cie_pinpuk::transport::TransportErrorKind;
use criterion::{Criterion, criterion_group, criterion_main};

fn texts(c: &mut Criterion) {
    let texts = Texts::bundled();
    let it = texts.localizer_for("it");
    let de = texts.localizer_for("de");
    let wrong = PinError::Wrong {
        code: CodeKind::Pin,
        remaining: 1,
    };
    let interrupted = PinError::CounterUnknown {
        code: CodeKind::Puk,
        cause: TransportErrorKind::CardRemoved,
    };
    let mut g = c.benchmark_group("i18n");
    g.bench_function("display_wrong_pin (reference)", |b| {
        b.iter(|| black_box(&wrong).to_string())
    });
    g.bench_function("render_wrong_pin_it", |b| {
        b.iter(|| it.text(black_box(&wrong)))
    });
    g.bench_function("render_counter_unknown_de", |b| {
        b.iter(|| de.text(black_box(&interrupted)))
    });
    g.bench_function("bundled_catalogue", |b| b.iter(Texts::bundled));
    g.bench_function("localizer_for_de", |b| {
        b.iter(|| texts.localizer_for(black_box("de_IT.UTF-8")))
    });
    g.finish();
}

criterion_group!(benches, texts);
criterion_main!(benches);
