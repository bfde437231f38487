//! ID newtypes: one per kind of ID, so one kind cannot be passed as another.

use std::collections::BTreeSet;

use bold360_api_spec::{Manifest, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;

use super::context::Ctx;
use super::names;

/// The ID type names the manifest uses.
pub fn id_types(manifest: &Manifest, ctx: &Ctx) -> BTreeSet<String> {
    manifest
        .methods
        .iter()
        .flat_map(|m| {
            m.params
                .iter()
                .filter(|p| p.ty == TypeRef::Id)
                .map(|p| ctx.id_type(&p.name))
                .chain(
                    m.returns
                        .iter()
                        .filter(|f| f.ty == TypeRef::Id)
                        .map(|f| ctx.id_type(&f.name)),
                )
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `pub mod ids { … }`: the ID types, reusing the runtime's in user mode.
pub fn ids_module(manifest: &Manifest, ctx: &Ctx) -> TokenStream {
    let rt = &ctx.rt;
    let reuse = ctx
        .extension
        .is_some()
        .then(|| quote!(pub use #rt::ids::*;));
    let defs = id_types(manifest, ctx)
        .into_iter()
        .filter(|name| ctx.extension.is_none() || !ctx.runtime_ids.contains(name))
        .map(|name| id_type(&name, ctx));
    let example = ctx.doc_root.is_some().then(|| {
        quote! {
            ///
            /// ```
            /// use bold360_sdk::ids::{ChatId, OperatorId};
            /// let chat = ChatId::from(9007199254740993u64);
            /// assert_eq!(chat.as_str(), "9007199254740993");
            /// let operator: OperatorId = "2150000000000001".into();
            /// assert_eq!(operator.to_string(), "2150000000000001");
            /// ```
        }
    });
    quote! {
        /// Identifier types, one per kind of ID. Each converts from `u64`, `&str`, `String` and
        /// the untyped `Id`, but not from another kind.
        #example
        pub mod ids {
            #reuse
            #(#defs)*
        }
    }
}

fn id_type(name: &str, ctx: &Ctx) -> TokenStream {
    let rt = &ctx.rt;
    let ty = names::ident(name);
    let doc = format!(
        "The ID of a {} (exact digits; strings and numbers on the wire both decode).",
        humanize(name)
    );
    quote! {
        #[doc = #doc]
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct #ty(pub #rt::Id);

        impl #ty {
            /// The exact text of the ID.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }
        impl ::std::fmt::Debug for #ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::write!(f, "{}({})", ::std::stringify!(#ty), self.0.as_str())
            }
        }
        impl ::std::fmt::Display for #ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.0.as_str())
            }
        }
        impl ::std::convert::From<#rt::Id> for #ty {
            fn from(id: #rt::Id) -> Self {
                Self(id)
            }
        }
        impl ::std::convert::From<u64> for #ty {
            fn from(id: u64) -> Self {
                Self(#rt::Id::from(id))
            }
        }
        impl ::std::convert::From<&str> for #ty {
            fn from(id: &str) -> Self {
                Self(#rt::Id::from(id))
            }
        }
        impl ::std::convert::From<::std::string::String> for #ty {
            fn from(id: ::std::string::String) -> Self {
                Self(#rt::Id::from(id))
            }
        }
        impl ::std::convert::From<&#ty> for #ty {
            fn from(id: &#ty) -> Self {
                id.clone()
            }
        }
        impl #rt::ToParam for #ty {
            fn to_param(&self) -> ::std::string::String {
                self.0.as_str().to_owned()
            }
        }
        impl #rt::wire::Wire for #ty {
            const EXPECTING: &'static str = "an ID (string or integer)";
            fn from_wire_str(text: &str) -> ::std::result::Result<Self, ::std::string::String> {
                <#rt::Id as #rt::wire::Wire>::from_wire_str(text).map(Self)
            }
            fn from_wire_f64(value: f64) -> ::std::result::Result<Self, ::std::string::String> {
                <#rt::Id as #rt::wire::Wire>::from_wire_f64(value).map(Self)
            }
        }
        impl #rt::__private::serde::Serialize for #ty {
            fn serialize<S: #rt::__private::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.0.as_str())
            }
        }
    }
}

/// `ChatMessageId` → `chat message`.
fn humanize(type_name: &str) -> String {
    names::snake(type_name.strip_suffix("Id").unwrap_or(type_name)).replace('_', " ")
}
