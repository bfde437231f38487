//! The record type of a method's `Data`.

use bold360_api_spec::{DataShape, Method, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;

use super::context::{Ctx, Place};
use super::names;

/// Field names the record itself uses.
const RESERVED: [&str; 1] = ["extra"];

/// `pub struct Record { … }` with a lenient `Deserialize` (see the runtime's `lenient`
/// module), and `Data`/`Response` aliases.
pub fn record(m: &Method, ctx: &Ctx) -> TokenStream {
    let rt = &ctx.rt;
    let rt_text = quote!(#rt).to_string().replace(' ', "");
    let serde_crate = format!("{rt_text}::__private::serde");
    let method_name = &m.name;
    let idents: Vec<_> = m
        .returns
        .iter()
        .map(|f| {
            let snake = names::snake(&f.name);
            if RESERVED.contains(&snake.as_str()) {
                names::ident(&format!("{snake}_"))
            } else {
                names::ident(&snake)
            }
        })
        .collect();
    let fields = m.returns.iter().zip(&idents).map(|(f, ident)| {
        let ty = ctx.value_type(&f.ty, f.id_entity().as_deref(), Place::InModule);
        let wire = &f.name;
        let doc = format!(
            "`{}` ({}){}{}",
            f.name,
            super::docs::type_text(&f.ty, f.id_entity().as_deref(), ctx),
            if f.description.is_empty() { "" } else { ": " },
            f.description
        );
        quote! {
            #[doc = #doc]
            #[serde(rename = #wire, skip_serializing_if = "::std::option::Option::is_none")]
            pub #ident: ::std::option::Option<#ty>,
        }
    });
    let arms: Vec<TokenStream> = m.returns.iter().zip(&idents).map(|(f, ident)| {
        let wire = &f.name;
        if f.ty == TypeRef::Json {
            quote!(#wire => record.#ident = #rt::lenient::json_field(&mut map)?,)
        } else {
            quote!(#wire => record.#ident = #rt::lenient::field(&mut map, #method_name, #wire, &mut record.extra)?,)
        }
    }).collect();
    let keep = quote!(#rt::lenient::keep(&mut map, key, &mut record.extra)?);
    let dispatch = if arms.is_empty() {
        quote!(#keep;)
    } else {
        quote! {
            match key.as_str() {
                #(#arms)*
                _ => #keep,
            }
        }
    };
    let incomplete = m
        .returns_incomplete
        .as_deref()
        .map(|why| format!(" The vendor's list of returned fields looks incomplete ({why}): expect fields it does not name, in `extra`."))
        .unwrap_or_default();
    let record_doc = format!(
        "One record of `{}`. Every documented field is typed and optional (the service leaves empty fields out); fields the manifest does not list, and values that do not fit their documented type, are kept in `extra` as sent.{incomplete}",
        m.name
    );
    let expecting = format!("a `{}` record (a JSON object)", m.name);
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
        #[derive(Debug, Clone, PartialEq, Default, #rt::__private::serde::Serialize)]
        #[serde(crate = #serde_crate)]
        #[non_exhaustive]
        pub struct Record {
            #(#fields)*
            /// Fields the manifest does not list, and documented fields whose value does not
            /// fit their type, as sent.
            #[serde(flatten)]
            pub extra: #rt::__private::serde_json::Map<::std::string::String, #rt::__private::serde_json::Value>,
        }

        impl<'de> #rt::__private::serde::Deserialize<'de> for Record {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: #rt::__private::serde::Deserializer<'de>,
            {
                struct RecordVisitor;
                impl<'de> #rt::__private::serde::de::Visitor<'de> for RecordVisitor {
                    type Value = Record;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<A>(self, mut map: A) -> ::std::result::Result<Record, A::Error>
                    where
                        A: #rt::__private::serde::de::MapAccess<'de>,
                    {
                        let mut record = Record::default();
                        while let ::std::option::Option::Some(key) =
                            map.next_key::<#rt::lenient::Key<'de>>()?
                        {
                            #dispatch
                        }
                        ::std::result::Result::Ok(record)
                    }
                }
                deserializer.deserialize_map(RecordVisitor)
            }
        }
        #count

        /// What `Data` decodes into.
        pub type Data = #data;
        /// The decoded response: envelope fields and [`Data`].
        pub type Response = #rt::Envelope<Data>;
    }
}
