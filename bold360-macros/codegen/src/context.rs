//! What every generator needs to know beyond the method at hand.

use std::collections::BTreeSet;

use bold360_api_spec::{Manifest, TypeRef};
use proc_macro2::{Ident, TokenStream};
use quote::quote;
use syn::Path;

use super::names;

/// Where a type is written: inside a method's module, or beside the modules (then types
/// defined in a method module need its name).
#[derive(Clone, Copy)]
pub enum Place<'a> {
    InModule,
    AtRoot(&'a Ident),
}

/// Options and facts shared by the generators.
pub struct Ctx {
    /// Path of the runtime crate.
    pub rt: Path,
    /// Extension-trait base name, in user mode.
    pub extension: Option<Ident>,
    /// ID types the runtime crate already defines (user mode reuses them).
    pub runtime_ids: BTreeSet<String>,
    /// Path under which generated modules are reachable in doc examples, when known.
    pub doc_root: Option<String>,
}

impl Ctx {
    /// The context for code that names the runtime crate `rt` (`::bold360_sdk`); with an
    /// `extension`, methods become traits of that name and the ID types of `runtime_manifest`
    /// are reused instead of generated.
    pub fn new(rt: Path, extension: Option<Ident>, runtime_manifest: Option<&Manifest>) -> Self {
        let runtime_ids = runtime_manifest
            .map(|m| {
                id_entities(m)
                    .map(|entity| bold360_api_spec::ids::type_name(&entity))
                    .collect()
            })
            .unwrap_or_default();
        let doc_root = extension
            .is_none()
            .then(|| "bold360_sdk::methods".to_owned());
        Self {
            rt,
            extension,
            runtime_ids,
            doc_root,
        }
    }

    /// The ID type name for an entity (`chat_message` → `ChatMessageId`).
    pub fn id_type(&self, entity: Option<&str>) -> String {
        bold360_api_spec::ids::type_name(entity.unwrap_or("id"))
    }

    /// The Rust type of a value of `ty` (for an `id`, of `entity`), written at `place`.
    pub fn value_type(&self, ty: &TypeRef, entity: Option<&str>, place: Place<'_>) -> TokenStream {
        let rt = &self.rt;
        match ty {
            TypeRef::Id => {
                let id = names::ident(&self.id_type(entity));
                match place {
                    Place::InModule => quote!(super::ids::#id),
                    Place::AtRoot(_) => quote!(ids::#id),
                }
            }
            TypeRef::Integer => quote!(i64),
            TypeRef::Count => quote!(u64),
            TypeRef::Number => quote!(f64),
            TypeRef::Boolean => quote!(bool),
            TypeRef::String => quote!(::std::string::String),
            TypeRef::Datetime => {
                quote!(#rt::__private::chrono::DateTime<#rt::__private::chrono::Utc>)
            }
            TypeRef::Json => quote!(#rt::__private::serde_json::Value),
            TypeRef::Enum(e) => {
                let e = names::ident(&names::pascal(e));
                match place {
                    Place::InModule => quote!(#e),
                    Place::AtRoot(module) => quote!(#module::#e),
                }
            }
        }
    }

    /// The argument type of a setter or required argument, and the conversion to apply.
    pub fn arg_type(
        &self,
        ty: &TypeRef,
        entity: Option<&str>,
        place: Place<'_>,
    ) -> (TokenStream, bool) {
        match ty {
            TypeRef::Id | TypeRef::String | TypeRef::Json => {
                let inner = self.value_type(ty, entity, place);
                (quote!(impl ::std::convert::Into<#inner>), true)
            }
            _ => (self.value_type(ty, entity, place), false),
        }
    }
}

/// The entity of every `id` parameter and field of a manifest.
pub fn id_entities(m: &Manifest) -> impl Iterator<Item = String> + '_ {
    m.methods.iter().flat_map(|method| {
        method
            .params
            .iter()
            .filter_map(|p| p.id_entity())
            .chain(method.returns.iter().filter_map(|f| f.id_entity()))
            .collect::<Vec<_>>()
    })
}
