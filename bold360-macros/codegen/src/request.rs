//! Request builders, and the methods on `Api<V>` that create them.

use bold360_api_spec::{Method, Param, Version};
use proc_macro2::TokenStream;
use quote::quote;

use super::context::{Ctx, Place};
use super::{docs, names};

/// Which `Api`/`Request` impl block an item belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every version of the method (generic over `V`).
    All,
    /// One version only.
    Only(Version),
}

fn marker(ctx: &Ctx, v: Version) -> TokenStream {
    let rt = &ctx.rt;
    match v {
        Version::V1 => quote!(#rt::V1),
        Version::V2 => quote!(#rt::V2),
    }
}

/// Versions in which `p` is a setter (available and not required).
fn setter_scope(m: &Method, p: &Param) -> Vec<Version> {
    m.versions
        .iter()
        .copied()
        .filter(|v| p.versions.contains(v) && !p.required)
        .collect()
}

fn required_in(m: &Method, v: Version) -> Vec<&Param> {
    m.params
        .iter()
        .filter(|p| p.required && p.versions.contains(&v))
        .collect()
}

/// The scopes the method's constructor is generated for: one generic when every version takes
/// the same arguments, else one per version.
pub fn constructor_scopes(m: &Method, extension: bool) -> Vec<Scope> {
    let same = m.versions.windows(2).all(|w| {
        let a: Vec<&str> = required_in(m, w[0])
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        let b: Vec<&str> = required_in(m, w[1])
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        a == b
    });
    if same && m.versions.len() == Version::ALL.len() && !extension {
        vec![Scope::All]
    } else {
        m.versions.iter().map(|v| Scope::Only(*v)).collect()
    }
}

/// The builder struct and its impls, inside the method's module.
pub fn builder(m: &Method, ctx: &Ctx) -> TokenStream {
    let rt = &ctx.rt;
    let wire = &m.name;
    let mut generic = Vec::new();
    let mut per_version: Vec<(Version, Vec<TokenStream>)> = Vec::new();
    for p in &m.params {
        let scope = setter_scope(m, p);
        if scope.is_empty() {
            continue;
        }
        let setter = setter(p, ctx);
        if scope.len() == m.versions.len() {
            generic.push(setter);
        } else {
            for v in scope {
                match per_version.iter_mut().find(|(pv, _)| *pv == v) {
                    Some((_, items)) => items.push(setter.clone()),
                    None => per_version.push((v, vec![setter.clone()])),
                }
            }
        }
    }
    generic.extend(
        m.dynamic_params
            .iter()
            .filter_map(|d| family_setter(d, ctx)),
    );
    let send_tail = send_tail(m, rt);
    let paging = paging_methods(m, ctx);
    let version_impls = per_version.iter().map(|(v, items)| {
        let marker = marker(ctx, *v);
        quote! {
            impl Request<#marker> {
                #(#items)*
            }
        }
    });
    let doc = format!(
        "A `{wire}` request: set optional parameters, then `.send().await`. Created by the `{}` method of [`Api`]({rt_path}::Api).",
        names::snake(wire),
        rt_path = quote!(#rt).to_string().replace(' ', "")
    );
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until `.send().await`"]
        pub struct Request<V> {
            api: #rt::Api<V>,
            params: #rt::Params,
            retry: ::std::option::Option<#rt::RetryPolicy>,
            timeout: ::std::option::Option<::std::time::Duration>,
        }

        impl<V: #rt::Version> Request<V> {
            #paging

            #[doc(hidden)]
            pub fn __new(api: #rt::Api<V>, params: #rt::Params) -> Self {
                Self { api, params: params.__typed(), retry: ::std::option::Option::None, timeout: ::std::option::Option::None }
            }

            #(#generic)*

            /// Sets a parameter the manifest does not list (or overrides one), sent as is.
            pub fn param(mut self, name: impl ::std::convert::Into<::std::string::String>, value: impl #rt::ToParam) -> Self {
                self.params.set(name, value);
                self
            }

            /// Retries this request by `policy` instead of the client's policy.
            pub fn retry_policy(mut self, policy: #rt::RetryPolicy) -> Self {
                self.retry = ::std::option::Option::Some(policy);
                self
            }

            /// Gives each attempt of this request at most `timeout` (instead of the client's
            /// request timeout); past it the attempt fails with `Error::Timeout`.
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.timeout = ::std::option::Option::Some(timeout);
                self
            }

            /// The parameters that will be sent.
            pub fn params(&self) -> &#rt::Params {
                &self.params
            }

            /// Sends the request: checked against the method's rules, signed, encoded,
            /// decoded and retried as the method's kind allows.
            pub async fn send(self) -> ::std::result::Result<Response, #rt::Error> {
                let info = #rt::CallInfo::for_method(&METHOD, &self.params).retry(self.retry.as_ref()).timeout(self.timeout);
                #send_tail
            }
        }

        #(#version_impls)*
    }
}

/// The end of `send()`: a list without paging in the version called warns when the server
/// says it is truncated (the vendor's "narrow your filter").
fn send_tail(m: &Method, rt: &syn::Path) -> TokenStream {
    let execute = quote!(self.api.client().execute::<Data>(info, self.params).await);
    if m.data != bold360_api_spec::DataShape::Array {
        return execute;
    }
    let (p1, p2) = (
        m.paging_for(Version::V1).is_some(),
        m.paging_for(Version::V2).is_some(),
    );
    let wire = &m.name;
    quote! {
        let pages = match <V as #rt::Version>::VERSION {
            #rt::ApiVersion::V1 => #p1,
            #rt::ApiVersion::V2 => #p2,
        };
        let response = #execute?;
        if !pages {
            #rt::paging::note_truncation(#wire, response.truncated);
        }
        ::std::result::Result::Ok(response)
    }
}

/// `pages()` and `into_stream()` for list methods that page in some version.
fn paging_methods(m: &Method, ctx: &Ctx) -> TokenStream {
    if m.data != bold360_api_spec::DataShape::Array || m.paging.is_none() {
        return TokenStream::new();
    }
    let rt = &ctx.rt;
    quote! {
        fn paged_call(&self) -> #rt::paging::PagedCall {
            let mut call = #rt::paging::PagedCall::for_method(&METHOD, <V as #rt::Version>::VERSION, &self.params);
            call.retry = self.retry.clone();
            call.timeout = self.timeout;
            call
        }

        /// Every page, one at a time (lazily: one page in memory), following the server's
        /// `Next` object (v1) or `NextPage` cursor (v2) until none comes back. The caller's
        /// parameters are sent with every page.
        pub fn pages(self) -> impl #rt::Stream<Item = ::std::result::Result<Response, #rt::Error>> + ::std::marker::Send + ::std::marker::Unpin {
            let call = self.paged_call();
            #rt::paging::pages::<Record>(self.api.client().clone(), call, self.params)
        }

        /// Every record of every page, in order, lazily. `Unpin`: `while let Some(record) =
        /// stream.try_next().await?` works as written (`use bold360_sdk::prelude::*`).
        pub fn into_stream(self) -> impl #rt::Stream<Item = ::std::result::Result<Record, #rt::Error>> + ::std::marker::Send + ::std::marker::Unpin {
            let call = self.paged_call();
            #rt::paging::records::<Record>(self.api.client().clone(), call, self.params)
        }
    }
}

fn setter(p: &Param, ctx: &Ctx) -> TokenStream {
    let ident = names::param_ident(&p.name);
    let wire = &p.name;
    let (ty, into) = ctx.arg_type(&p.ty, p.id_entity().as_deref(), Place::InModule);
    let value = if into {
        quote!(value.into())
    } else {
        quote!(value)
    };
    let doc = docs::setter(p, ctx);
    let set = set_fn(p);
    quote! {
        #[doc = #doc]
        pub fn #ident(mut self, value: #ty) -> Self {
            self.params.#set(#wire, #value);
            self
        }
    }
}

/// A setter for a family of parameters (`CustomFields.<name>` → `custom_field(name, value)`).
fn family_setter(d: &bold360_api_spec::DynamicParam, ctx: &Ctx) -> Option<TokenStream> {
    let rt = &ctx.rt;
    let prefix = d.prefix()?;
    let ident = names::ident(&names::family_setter(prefix));
    let doc = format!(
        "Sets `{}` (`{prefix}` followed by `name`): {}",
        d.pattern, d.description
    );
    Some(quote! {
        #[doc = #doc]
        pub fn #ident(mut self, name: impl ::std::fmt::Display, value: impl #rt::ToParam) -> Self {
            self.params.set(::std::format!("{}{}", #prefix, name), value);
            self
        }
    })
}

/// `set`, or `set_sensitive` for a secret (never printed by `Debug` or in errors).
fn set_fn(p: &Param) -> proc_macro2::Ident {
    let name = if p.sensitive { "set_sensitive" } else { "set" };
    proc_macro2::Ident::new(name, proc_macro2::Span::call_site())
}

/// The method on `Api` (or in an extension trait) that starts a request: its signature and body.
pub fn constructor(
    m: &Method,
    ctx: &Ctx,
    scope: Scope,
    public: bool,
) -> (TokenStream, TokenStream) {
    let rt = &ctx.rt;
    let module = names::ident(&names::snake(&m.name));
    let fn_name = module.clone();
    let (version, v_ty) = match scope {
        Scope::All => (None, quote!(V)),
        Scope::Only(v) => (Some(v), marker(ctx, v)),
    };
    let args: Vec<&Param> = required_in(m, version.unwrap_or(m.versions[0]));
    let arg_idents: Vec<_> = args.iter().map(|p| names::param_ident(&p.name)).collect();
    let arg_decls = args.iter().zip(&arg_idents).map(|(p, ident)| {
        let (ty, _) = ctx.arg_type(&p.ty, p.id_entity().as_deref(), Place::AtRoot(&module));
        quote!(#ident: #ty)
    });
    let sets = args.iter().zip(&arg_idents).map(|(p, ident)| {
        let wire = &p.name;
        let (_, into) = ctx.arg_type(&p.ty, p.id_entity().as_deref(), Place::InModule);
        let value = if into {
            quote!(#ident.into())
        } else {
            quote!(#ident)
        };
        let set = set_fn(p);
        quote!(params.#set(#wire, #value);)
    });
    let doc_lines = docs::method(m, ctx, version);
    let mut_kw = (!args.is_empty()).then(|| quote!(mut));
    let vis = public.then(|| quote!(pub));
    let signature = quote! {
        #(#[doc = #doc_lines])*
        #vis fn #fn_name(&self #(, #arg_decls)*) -> #module::Request<#v_ty>
    };
    let body = quote! {
        {
            #[allow(unused_mut)]
            let #mut_kw params = #rt::Params::new();
            #(#sets)*
            #module::Request::__new(::std::clone::Clone::clone(self), params)
        }
    };
    (signature, body)
}
