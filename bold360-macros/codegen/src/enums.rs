//! Enumerations: one Rust enum per `enums` entry, with an `Unknown(raw)` variant so a value the
//! manifest does not list never fails decoding.

use std::collections::BTreeSet;

use bold360_api_spec::EnumValues;
use proc_macro2::TokenStream;
use quote::quote;

use super::context::Ctx;
use super::names;

/// Variant names for the values: a word value names its variant (`LOGIN` → `Login`), a
/// numeric code is named by its meaning (`2` "unavailable, reason unknown" →
/// `UnavailableReasonUnknown`). Names are made unique (a clash gets the wire value appended).
pub fn variant_names(values: &EnumValues) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let base: Vec<String> = values
        .iter()
        .map(|(wire, meaning)| {
            let word = wire.starts_with(|c: char| c.is_ascii_alphabetic());
            let v = if word {
                names::variant_from_meaning(wire)
            } else {
                names::variant_from_meaning(meaning)
            };
            if v.is_empty() {
                names::variant_from_meaning(wire)
            } else {
                v
            }
        })
        .collect();
    base.iter()
        .zip(values.keys())
        .map(|(name, wire)| {
            let clash = base.iter().filter(|n| *n == name).count() > 1
                || name == "Unknown"
                || name.is_empty();
            let mut name = if clash {
                format!("{name}{}", names::pascal(wire))
            } else {
                name.clone()
            };
            if name.starts_with(|c: char| c.is_ascii_digit()) {
                name = format!("V{name}");
            }
            while !seen.insert(name.clone()) {
                name.push('_');
            }
            name
        })
        .collect()
}

/// The enum `name` with `values`.
pub fn enum_type(name: &str, values: &EnumValues, ctx: &Ctx) -> TokenStream {
    let rt = &ctx.rt;
    let ty = names::ident(&names::pascal(name));
    let variants: Vec<_> = variant_names(values)
        .iter()
        .map(|v| names::ident(v))
        .collect();
    let wires: Vec<&String> = values.keys().collect();
    let meanings: Vec<&String> = values.values().collect();
    let docs: Vec<String> = values.iter().map(|(w, m)| format!("`{w}`: {m}")).collect();
    let doc = format!("Values of `{name}`. Values not listed here decode as `Unknown`.");
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #ty {
            #(#[doc = #docs] #variants,)*
            /// A value the manifest does not list, as sent.
            Unknown(::std::string::String),
        }

        impl #ty {
            /// The value as sent on the wire.
            pub fn as_wire(&self) -> &str {
                match self {
                    #(Self::#variants => #wires,)*
                    Self::Unknown(raw) => raw,
                }
            }

            /// The value for a wire text (`Unknown` when not listed).
            pub fn from_wire(text: &str) -> Self {
                match text.trim() {
                    #(#wires => Self::#variants,)*
                    _ => Self::Unknown(text.to_owned()),
                }
            }

            /// The documented meaning, for listed values.
            pub fn meaning(&self) -> ::std::option::Option<&'static str> {
                match self {
                    #(Self::#variants => ::std::option::Option::Some(#meanings),)*
                    Self::Unknown(_) => ::std::option::Option::None,
                }
            }
        }

        impl ::std::fmt::Display for #ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_wire())
            }
        }

        impl #rt::ToParam for #ty {
            fn to_param(&self) -> ::std::string::String {
                self.as_wire().to_owned()
            }
        }

        impl #rt::wire::Wire for #ty {
            const EXPECTING: &'static str = "an enumeration value";
            fn from_wire_str(text: &str) -> ::std::result::Result<Self, ::std::string::String> {
                ::std::result::Result::Ok(Self::from_wire(text))
            }
            fn from_wire_f64(value: f64) -> ::std::result::Result<Self, ::std::string::String> {
                ::std::result::Result::Ok(Self::from_wire(&value.to_string()))
            }
            fn from_wire_bool(value: bool) -> ::std::result::Result<Self, ::std::string::String> {
                ::std::result::Result::Ok(Self::from_wire(&value.to_string()))
            }
        }

        impl #rt::__private::serde::Serialize for #ty {
            fn serialize<S: #rt::__private::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_wire())
            }
        }
    }
}
