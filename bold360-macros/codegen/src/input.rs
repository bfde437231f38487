//! The macro's arguments: `embedded`, or `path = "dir"`, plus optional `runtime = path` and
//! `extension = Name`.

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Path, Token};

/// Where the manifest comes from.
pub enum Source {
    /// The manifest compiled into `bold360-api-spec`.
    Embedded,
    /// A directory relative to the invoking crate's `Cargo.toml`.
    Dir(LitStr),
}

/// Parsed arguments.
pub struct Input {
    pub source: Source,
    /// Path of the runtime crate in generated code (default `::bold360_sdk`).
    pub runtime: Path,
    /// When set, methods go on extension traits `<Name>V1`/`<Name>V2` instead of inherent impls.
    pub extension: Option<Ident>,
    /// Where errors point.
    pub span: Span,
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let span = input.span();
        let mut source = None;
        let mut runtime: Path = syn::parse_quote!(::bold360_sdk);
        let mut extension = None;
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            match key.to_string().as_str() {
                "embedded" => source = Some(Source::Embedded),
                "path" => {
                    input.parse::<Token![=]>()?;
                    source = Some(Source::Dir(input.parse()?));
                }
                "runtime" => {
                    input.parse::<Token![=]>()?;
                    runtime = input.parse()?;
                }
                "extension" => {
                    input.parse::<Token![=]>()?;
                    extension = Some(input.parse()?);
                }
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!("unknown argument `{other}`; expected `embedded`, `path = \"dir\"`, `runtime = path` or `extension = Name`"),
                    ))
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        let source = source.ok_or_else(|| {
            syn::Error::new(span, "say where the manifest is: `bold360_api!(embedded)` or `bold360_api!(path = \"api-spec\")`")
        })?;
        Ok(Self {
            source,
            runtime,
            extension,
            span,
        })
    }
}

/// Parses the tokens given to the macro.
pub fn parse(tokens: TokenStream) -> syn::Result<Input> {
    syn::parse2(tokens)
}
