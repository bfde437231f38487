//! ID newtypes: one per kind of ID, so one kind cannot be passed as another.

use std::collections::BTreeMap;

use bold360_api_spec::Manifest;
use proc_macro2::TokenStream;
use quote::quote;

use super::context::Ctx;
use super::names;

/// The ID type names the manifest uses, each with its entity.
pub fn id_types(manifest: &Manifest, ctx: &Ctx) -> BTreeMap<String, String> {
    super::context::id_entities(manifest)
        .map(|entity| (ctx.id_type(Some(&entity)), entity))
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
        .filter(|(name, _)| ctx.extension.is_none() || !ctx.runtime_ids.contains(name))
        .map(|(name, entity)| define_id_type(&name, &entity, ctx));
    let example = ctx.doc_root.is_some().then(|| {
        quote! {
            ///
            /// ```
            /// use bold360_sdk::ids::{ChatId, OperatorId};
            /// let chat = ChatId::from(9007199254740993u64);
            /// assert_eq!(chat.as_str(), "9007199254740993");
            /// // Text is validated: the decimal digits of a 64-bit number.
            /// let operator: OperatorId = "2150000000000001".parse().unwrap();
            /// assert_eq!(operator.to_string(), "2150000000000001");
            /// assert!("21500-01".parse::<OperatorId>().is_err());
            /// ```
        }
    });
    quote! {
        /// Identifier types, one per kind of ID. Each converts from `u64` and the untyped
        /// `Id`, parses (validated) from text with `str::parse` or `TryFrom`, and never
        /// converts from another kind.
        #example
        pub mod ids {
            #reuse
            #(#defs)*
        }
    }
}

fn define_id_type(name: &str, entity: &str, ctx: &Ctx) -> TokenStream {
    let rt = &ctx.rt;
    let ty = names::ident(name);
    let doc = format!(
        "The ID of {} (entity `{entity}`; exact digits; strings and numbers on the wire both decode).",
        bold360_api_spec::ids::describe(entity)
    );
    quote!(#rt::__define_id_type!(#ty, #doc);)
}
