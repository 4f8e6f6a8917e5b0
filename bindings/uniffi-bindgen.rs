//! UniFFI's generator, built from the same `uniffi` version as the bindings: maturin runs it
//! for the Python module, `scripts/gen-bindings` for the Kotlin and Swift sources.

fn main() {
    uniffi::uniffi_bindgen_main()
}
