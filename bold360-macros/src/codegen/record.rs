//! The record type of a method's `Data`.

use bold360_api_spec::{DataShape, Method, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;

use super::context::{Ctx, Place};
use super::names;

/// Field names the record itself uses.
const RESERVED: [&str; 1] = ["extra"];

/// `pub struct Record { … }`, and `Data`/`Response` aliases.
pub fn record(m: &Method, ctx: &Ctx) -> TokenStream {
    let rt = &ctx.rt;
    let rt_text = quote!(#rt).to_string().replace(' ', "");
    let serde_crate = format!("{rt_text}::__private::serde");
    let deserialize_with = format!("{rt_text}::wire::deserialize_opt");
    let fields = m.returns.iter().map(|f| {
        let snake = names::snake(&f.name);
        let ident = if RESERVED.contains(&snake.as_str()) { names::ident(&format!("{snake}_")) } else { names::ident(&snake) };
        let ty = ctx.value_type(&f.ty, &f.name, Place::InModule);
        let wire = &f.name;
        let doc = format!(
            "`{}` ({}){}{}",
            f.name,
            super::docs::type_text(&f.ty, &f.name, ctx),
            if f.description.is_empty() { "" } else { ": " },
            f.description
        );
        let with = (f.ty != TypeRef::Json).then(|| quote!(deserialize_with = #deserialize_with,));
        quote! {
            #[doc = #doc]
            #[serde(rename = #wire, default, #with skip_serializing_if = "::std::option::Option::is_none")]
            pub #ident: ::std::option::Option<#ty>,
        }
    });
    let record_doc = format!(
        "One record of `{}`. Every documented field is typed and optional (the service leaves empty fields out); fields the manifest does not list are kept in `extra`.",
        m.name
    );
    let data = match m.data {
        DataShape::Array => quote!(#rt::Records<Record>),
        DataShape::Object => quote!(Record),
        DataShape::None => quote!(#rt::__private::serde_json::Value),
    };
    let count = (m.data == DataShape::Object).then(|| {
        quote! {
            impl #rt::RecordCount for Record {
                fn record_count(&self) -> usize {
                    1
                }
            }
        }
    });
    quote! {
        #[doc = #record_doc]
        #[derive(Debug, Clone, PartialEq, Default, #rt::__private::serde::Serialize, #rt::__private::serde::Deserialize)]
        #[serde(crate = #serde_crate)]
        #[non_exhaustive]
        pub struct Record {
            #(#fields)*
            /// Fields the manifest does not list, as sent.
            #[serde(flatten)]
            pub extra: #rt::__private::serde_json::Map<::std::string::String, #rt::__private::serde_json::Value>,
        }
        #count

        /// What `Data` decodes into.
        pub type Data = #data;
        /// The decoded response: envelope fields and [`Data`].
        pub type Response = #rt::Envelope<Data>;
    }
}
