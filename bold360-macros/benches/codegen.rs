//! Time to generate the typed API for the whole shipped manifest: validation of the embedded
//! files, then code generation. Compiles the macro's own `codegen` module (a proc-macro crate
//! cannot export functions), so it measures exactly what the macro runs.
//!
//! `cargo bench -p bold360-macros --bench codegen`

// Lint checks of all targets build this bench with `cfg(test)` but no test harness, so the
// included module's unit tests compile to nothing and leave their imports unused.
#![allow(unused_imports)]

#[allow(dead_code)]
#[path = "../src/codegen/mod.rs"]
mod codegen;

use bold360_api_spec::Manifest;
use criterion::{criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
    c.bench_function("validate_embedded_manifest", |b| {
        b.iter(|| Manifest::embedded().unwrap())
    });
    let manifest = Manifest::embedded().unwrap();
    let ctx = codegen::Ctx::new(syn::parse_quote!(::bold360_sdk), None, None);
    c.bench_function("generate_whole_manifest", |b| {
        b.iter(|| codegen::generate(&manifest, &ctx))
    });
    c.bench_function("expand_end_to_end", |b| {
        b.iter(|| codegen::expand(quote::quote!(embedded)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
