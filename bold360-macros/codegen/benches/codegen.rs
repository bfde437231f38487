//! Time to generate the typed API for the whole shipped manifest: validation of the embedded
//! files, then code generation, through the same `bold360_codegen` functions the macro calls.
//!
//! `cargo bench -p bold360-codegen --bench codegen`

use bold360_codegen as codegen;

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
