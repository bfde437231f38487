//! # bold360-macros
//!
//! `bold360_api!` turns a Bold360 method manifest into typed Rust: a request builder per method
//! and version (required parameters as arguments, optional ones as setters), distinct ID
//! types, enums that keep unknown values, response records, and rustdoc for all of it.
//!
//! ```text
//! // Inside bold360-sdk: the manifest embedded in the bold360-api-spec crate.
//! bold360_macros::bold360_api!(embedded);
//!
//! // In your crate, for private methods: a manifest directory relative to your Cargo.toml,
//! // generating extension traits `MyMethodsV1` / `MyMethodsV2` on `bold360_sdk::Api`.
//! bold360_macros::bold360_api!(path = "my-api-spec", extension = MyMethods);
//! ```
//!
//! The entry point only hands its input to `bold360_codegen::expand`, plain functions over
//! `proc_macro2` that are unit-tested, benchmarked and golden-tested on their own. A bad manifest fails
//! the build with one `compile_error!` per problem, each naming the file and JSON pointer.
//!
//! Rebuilds: with `embedded`, the manifest is part of the `bold360-api-spec` crate (its build
//! script tracks every file), so editing a file rebuilds that crate and everything using it.
//! With `path`, the expansion `include_bytes!`s every file it read, so editing one re-expands
//! the macro; adding a new file needs a touch of the invoking crate (stable proc macros cannot
//! watch a directory).
#![deny(missing_docs)]

use proc_macro::TokenStream;

/// Generates the typed API from a manifest. See the crate docs for the two forms.
#[proc_macro]
pub fn bold360_api(input: TokenStream) -> TokenStream {
    bold360_codegen::expand(input.into()).into()
}
