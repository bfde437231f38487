//! # bold360-codegen
//!
//! The code generation behind `bold360_macros::bold360_api!`, as plain functions over
//! `proc_macro2` (the macro crate is a thin shell that calls [`expand`]): [`expand`] parses the
//! macro's arguments, loads and validates the manifest and generates; [`generate`] turns a
//! validated manifest into tokens. Being a normal library, it is unit-tested, benchmarked and
//! golden-tested (`bold360-macros/tests/output/methods.rs`) without a compiler plugin.
//!
//! ```
//! use bold360_api_spec::Manifest;
//! use bold360_codegen::{generate, Ctx};
//! let manifest = Manifest::embedded().unwrap();
//! let ctx = Ctx::new(syn::parse_quote!(::bold360_sdk), None, None);
//! let tokens = generate(&manifest, &ctx).to_string();
//! assert!(tokens.contains("get_all_chat_messages"));
//! ```
#![deny(missing_docs)]

mod context;
mod docs;
mod enums;
mod id_types;
mod input;
mod method_info;
mod names;
mod record;
mod request;

use std::path::PathBuf;

use bold360_api_spec::{Manifest, Method};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

pub use context::Ctx;
use input::{Input, Source};
use request::Scope;

/// The whole expansion: parse the arguments, load and validate the manifest, generate.
pub fn expand(tokens: TokenStream) -> TokenStream {
    let input = match input::parse(tokens) {
        Ok(input) => input,
        Err(e) => return e.to_compile_error(),
    };
    let (manifest, files) = match load(&input) {
        Ok(loaded) => loaded,
        Err(messages) => return errors(&messages, input.span),
    };
    let runtime_manifest = input
        .extension
        .as_ref()
        .and_then(|_| Manifest::embedded().ok());
    let ctx = Ctx::new(
        input.runtime.clone(),
        input.extension.clone(),
        runtime_manifest.as_ref(),
    );
    let tracking = files.iter().map(|path| {
        let path = path.display().to_string();
        quote!(
            const _: &[u8] = ::core::include_bytes!(#path);
        )
    });
    let code = generate(&manifest, &ctx);
    quote! {
        #(#tracking)*
        #code
    }
}

/// Loads the manifest the input names. Errors are complete messages, one per problem.
fn load(input: &Input) -> Result<(Manifest, Vec<PathBuf>), Vec<String>> {
    let describe = |problems: Vec<bold360_api_spec::Problem>| -> Vec<String> {
        problems
            .iter()
            .map(|p| format!("bold360_api!: {p}"))
            .collect()
    };
    match &input.source {
        Source::Embedded => Manifest::embedded()
            .map(|m| (m, Vec::new()))
            .map_err(describe),
        Source::Dir(lit) => {
            let base = std::env::var("CARGO_MANIFEST_DIR")
                .map(PathBuf::from)
                .unwrap_or_default();
            let dir = base.join(expand_env(&lit.value())?);
            if !dir.join("methods").is_dir() {
                return Err(vec![format!(
                    "bold360_api!: no manifest at {:?}: expected a directory holding methods/*.json (the path is relative to the crate's Cargo.toml)",
                    lit.value()
                )]);
            }
            Manifest::load_dir(&dir).map_err(describe)
        }
    }
}

/// A manifest path with `${NAME}` replaced by that environment variable's value (a
/// path that must not depend on where the invoking crate is built, e.g. in tests).
fn expand_env(path: &str) -> Result<String, Vec<String>> {
    let mut out = String::new();
    let mut rest = path;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let end = after.find('}').ok_or_else(|| {
            vec![format!(
                "bold360_api!: {path:?}: `${{` without a closing `}}`"
            )]
        })?;
        let name = &after[..end];
        let value = std::env::var(name).map_err(|_| {
            vec![format!(
                "bold360_api!: {path:?} names the environment variable {name}, which is not set"
            )]
        })?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// One `compile_error!` per message, all at the macro's call site.
fn errors(messages: &[String], span: Span) -> TokenStream {
    let errors = messages
        .iter()
        .map(|m| quote_spanned!(span=> ::core::compile_error!(#m);));
    quote!(#(#errors)*)
}

/// Every generated item for a validated manifest.
pub fn generate(manifest: &Manifest, ctx: &Ctx) -> TokenStream {
    let ids = id_types::ids_module(manifest, ctx);
    let modules = manifest.methods.iter().map(|m| method_module(m, ctx));
    let api = api_methods(manifest, ctx);
    let table = method_table(manifest, ctx);
    quote! {
        #ids
        #(#modules)*
        #api
        #table
    }
}

/// The run-time method table (`lookup`, `ALL`, `page_limit`): the SDK's own manifest only; a
/// user's extension manifest has its typed builders for that.
fn method_table(manifest: &Manifest, ctx: &Ctx) -> TokenStream {
    if ctx.extension.is_some() {
        return TokenStream::new();
    }
    let rt = &ctx.rt;
    let largest = manifest
        .methods
        .iter()
        .filter_map(|m| m.max_page_size)
        .max()
        .unwrap_or(1);
    let entries = manifest.methods.iter().map(|m| {
        let module = names::ident(&names::snake(&m.name));
        quote!(#module::METHOD)
    });
    // Names public clients call that no page documents: the shipped list, less any name the
    // manifest documents (validated in bold360-api-spec).
    let known = bold360_api_spec::KnownMethods::embedded()
        .map(|k| k.methods)
        .unwrap_or_default();
    let undocumented = known
        .iter()
        .filter(|k| manifest.method(&k.name).is_none())
        .map(|k| {
            let (name, hint) = (&k.name, &k.hint);
            quote!(#rt::UndocumentedMethod::new(#name, #hint))
        });
    quote! {
        /// Every documented method, in manifest order: what calling by wire name needs to know.
        pub static ALL: &[#rt::MethodInfo] = &[#(#entries),*];

        /// A documented method by its wire name or one of its aliases.
        ///
        /// ```
        /// let m = bold360_sdk::methods::lookup("getChat").unwrap();
        /// assert_eq!(m.kind(), bold360_sdk::MethodKind::Read);
        /// let audit = bold360_sdk::methods::lookup("getAllAccessAuditLogs").unwrap();
        /// assert_eq!(audit.name(), "getAllAuditLogs");
        /// ```
        pub fn lookup(method: &str) -> ::std::option::Option<&'static #rt::MethodInfo> {
            ALL.iter().find(|m| m.answers_to(method))
        }

        /// Methods the vendor has that no page documents, known by name from public clients
        /// (`api-spec/known-methods.json`, with sources): sent by name as undocumented calls.
        pub static UNDOCUMENTED: &[#rt::UndocumentedMethod] = &[#(#undocumented),*];

        /// A method known by name only (see [`UNDOCUMENTED`]).
        ///
        /// ```
        /// assert!(bold360_sdk::methods::undocumented("getDepartments").is_some());
        /// assert!(bold360_sdk::methods::undocumented("getDepartment").is_none());
        /// ```
        pub fn undocumented(method: &str) -> ::std::option::Option<&'static #rt::UndocumentedMethod> {
            UNDOCUMENTED.iter().find(|m| m.name() == method)
        }

        /// The largest page any documented method allows: what a call to a method not in the
        /// manifest reserves at most from the records budget.
        pub const LARGEST_PAGE_LIMIT: u32 = #largest;

        /// The largest page the docs allow for a method, by its wire name: what a call with a
        /// bigger `PageSize` gets at most. `None` for methods without a documented maximum and
        /// for names not in the manifest.
        ///
        /// ```
        /// assert_eq!(bold360_sdk::methods::page_limit("getAllChatMessages"), Some(1000));
        /// assert_eq!(bold360_sdk::methods::page_limit("getChat"), None);
        /// ```
        pub fn page_limit(method: &str) -> ::std::option::Option<u32> {
            lookup(method).and_then(|m| m.page_limit())
        }
    }
}

/// `pub mod <method> { enums, Record, Data, Response, Request }`.
fn method_module(m: &Method, ctx: &Ctx) -> TokenStream {
    let module = names::ident(&names::snake(&m.name));
    let enums = m
        .enums
        .iter()
        .map(|(name, values)| enums::enum_type(name, values, ctx));
    let record = record::record(m, ctx);
    let builder = request::builder(m, ctx);
    let info = method_info::method_info(m, &ctx.rt);
    let rt = &ctx.rt;
    let doc = format!("Types of `{}`: {}", m.name, m.description);
    quote! {
        #[doc = #doc]
        pub mod #module {
            /// What the manifest says about this method: kind, versions, paging, page limit
            /// and the rules its parameters are checked against before sending.
            pub const METHOD: #rt::MethodInfo = #info;

            #(#enums)*
            #record
            #builder
        }
    }
}

/// The constructors: inherent methods on `Api`, or extension traits in user mode.
fn api_methods(manifest: &Manifest, ctx: &Ctx) -> TokenStream {
    let rt = &ctx.rt;
    let mut all = Vec::new();
    let mut v1 = Vec::new();
    let mut v2 = Vec::new();
    for m in &manifest.methods {
        for scope in request::constructor_scopes(m, ctx.extension.is_some()) {
            let (signature, body) = request::constructor(m, ctx, scope, ctx.extension.is_none());
            let item = (signature, body);
            match scope {
                Scope::All => all.push(item),
                Scope::Only(bold360_api_spec::Version::V1) => v1.push(item),
                Scope::Only(bold360_api_spec::Version::V2) => v2.push(item),
            }
        }
    }
    match &ctx.extension {
        None => {
            let inherent = |items: &[(TokenStream, TokenStream)]| -> Vec<TokenStream> {
                items.iter().map(|(sig, body)| quote!(#sig #body)).collect()
            };
            let (all, v1, v2) = (inherent(&all), inherent(&v1), inherent(&v2));
            quote! {
                impl<V: #rt::Version> #rt::Api<V> {
                    #(#all)*
                }
                impl #rt::Api<#rt::V1> {
                    #(#v1)*
                }
                impl #rt::Api<#rt::V2> {
                    #(#v2)*
                }
            }
        }
        Some(name) => {
            let traits = [
                (format_ident!("{}V1", name), quote!(#rt::V1), &v1),
                (format_ident!("{}V2", name), quote!(#rt::V2), &v2),
            ];
            let out = traits.iter().map(|(trait_name, marker, items)| {
                let sigs = items.iter().map(|(sig, _)| quote!(#sig;));
                let impls = items.iter().map(|(sig, body)| quote!(#sig #body));
                let doc = format!(
                    "Methods of this manifest on `Api<{}>`.",
                    marker.to_string().rsplit(' ').next().unwrap_or_default()
                );
                quote! {
                    #[doc = #doc]
                    pub trait #trait_name {
                        #(#sigs)*
                    }
                    impl #trait_name for #rt::Api<#marker> {
                        #(#impls)*
                    }
                }
            });
            quote!(#(#out)*)
        }
    }
}

#[cfg(test)]
mod env_tests {
    use super::expand_env;

    #[test]
    fn paths_name_environment_variables() {
        std::env::set_var("BOLD360_CODEGEN_TEST_DIR", "/x/y");
        assert_eq!(
            expand_env("${BOLD360_CODEGEN_TEST_DIR}/m").unwrap(),
            "/x/y/m"
        );
        assert_eq!(expand_env("plain/dir").unwrap(), "plain/dir");
        assert!(expand_env("${BOLD360_CODEGEN_UNSET_VAR}/m").is_err());
        assert!(expand_env("${OPEN").is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(names: &[&str]) -> Manifest {
        let all = Manifest::embedded().expect("the shipped manifest is valid");
        Manifest {
            methods: all
                .methods
                .into_iter()
                .filter(|m| names.contains(&m.name.as_str()))
                .collect(),
        }
    }

    fn pretty(tokens: TokenStream) -> String {
        let file: syn::File = syn::parse2(tokens).expect("generated code parses as a file");
        prettyplease::unparse(&file)
    }

    fn sdk_ctx() -> Ctx {
        Ctx::new(syn::parse_quote!(::bold360_sdk), None, None)
    }

    /// The whole manifest's expansion, exactly as `bold360_sdk::methods` compiles it (same
    /// function, same context), checked in so a codegen or spec change shows as a diff.
    /// Rewrite it with `BOLD360_BLESS=1 cargo test -p bold360-codegen golden`.
    #[test]
    fn golden_expansion_of_the_whole_manifest() {
        let m = Manifest::embedded().unwrap();
        let code = format!(
            "// @generated by `BOLD360_BLESS=1 cargo test -p bold360-codegen golden`: the expansion of\n\
             // `bold360_api!(embedded)` inside `bold360_sdk::methods`. Do not edit by hand.\n\n{}",
            pretty(generate(&m, &sdk_ctx()))
        );
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/output/methods.rs");
        if std::env::var_os("BOLD360_BLESS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &code).unwrap();
            return;
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("{} is missing ({e}); write it with BOLD360_BLESS=1 cargo test -p bold360-codegen golden", path.display())
        });
        if golden != code {
            let line = golden
                .lines()
                .zip(code.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| golden.lines().count().min(code.lines().count()));
            panic!(
                "{} differs from the generated code from line {}: review the change, then \
                 rewrite it with BOLD360_BLESS=1 cargo test -p bold360-codegen golden",
                path.display(),
                line + 1
            );
        }
    }

    #[test]
    fn the_whole_manifest_generates_valid_rust() {
        let m = Manifest::embedded().unwrap();
        let code = pretty(generate(&m, &sdk_ctx()));
        for method in &m.methods {
            assert!(
                code.contains(&format!("pub mod {} {{", names::snake(&method.name))),
                "{}",
                method.name
            );
        }
    }

    #[test]
    fn extension_mode_makes_traits_per_version() {
        let m = manifest(&["getInactiveChats", "getAllInvitations", "getChat"]);
        let runtime = Manifest::embedded().unwrap();
        let ctx = Ctx::new(
            syn::parse_quote!(::bold360_sdk),
            Some(format_ident!("Mine")),
            Some(&runtime),
        );
        let code = pretty(generate(&m, &ctx));
        assert!(code.contains("pub trait MineV1"));
        assert!(code.contains("impl MineV2 for ::bold360_sdk::Api<::bold360_sdk::V2>"));
        assert!(code.contains("pub use ::bold360_sdk::ids::*;"));
        assert!(
            !code.contains("pub struct ChatId"),
            "runtime ID types are reused"
        );
    }

    #[test]
    fn bad_arguments_are_reported() {
        let err = expand(quote!(nonsense)).to_string();
        assert!(err.contains("unknown argument `nonsense`"), "{err}");
        let err = expand(quote!()).to_string();
        assert!(err.contains("say where the manifest is"), "{err}");
        let err = expand(quote!(path = "no/such/dir")).to_string();
        assert!(err.contains("no manifest at"), "{err}");
    }
}
