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
    quote!(#rt::__define_id_type!(#ty, #doc);)
}

/// `ChatMessageId` → `chat message`.
fn humanize(type_name: &str) -> String {
    names::snake(type_name.strip_suffix("Id").unwrap_or(type_name)).replace('_', " ")
}
