//! A method's run-time description (`METHOD` in its module, and the table `ALL`): the one
//! place the manifest's kind, data shape, versions, paging, page limit and parameter rules
//! become the runtime's `MethodInfo`.

use bold360_api_spec::{Constraint, DataShape, Kind, Method, Version};
use proc_macro2::TokenStream;
use quote::quote;

fn version(v: Version, rt: &syn::Path) -> TokenStream {
    match v {
        Version::V1 => quote!(#rt::ApiVersion::V1),
        Version::V2 => quote!(#rt::ApiVersion::V2),
    }
}

/// The method's kind, which decides what is retried.
pub fn method_kind(m: &Method, rt: &syn::Path) -> TokenStream {
    match m.kind {
        Kind::Read => quote!(#rt::MethodKind::Read),
        Kind::Write => quote!(#rt::MethodKind::Write),
    }
}

/// `.with_paging(version, …)` for each version the method pages in.
fn paging(m: &Method, rt: &syn::Path) -> Vec<TokenStream> {
    use bold360_api_spec::model::PagingStyle;
    Version::ALL
        .iter()
        .filter_map(|v| {
            let paging = match m.paging_for(*v)? {
                PagingStyle::Offset { .. } => quote!(#rt::Paging::Next),
                PagingStyle::Cursor { cursor_param, .. } => {
                    quote!(#rt::Paging::Cursor(#cursor_param))
                }
            };
            let v = version(*v, rt);
            Some(quote!(.with_paging(#v, #paging)))
        })
        .collect()
}

/// Required parameters (per version) and the manifest's constraints.
fn constraints(m: &Method, rt: &syn::Path) -> Vec<TokenStream> {
    let required = m.params.iter().filter(|p| p.required).map(|p| {
        let name = &p.name;
        let versions = p
            .versions
            .iter()
            .filter(|v| m.versions.contains(v))
            .map(|v| version(*v, rt));
        quote!(#rt::Constraint::Required(#name, &[#(#versions),*]))
    });
    let rules = m.constraints.iter().map(|c| match c {
        Constraint::ExactlyOneOf(names) => quote!(#rt::Constraint::ExactlyOneOf(&[#(#names),*])),
        Constraint::AllOrNone(names) => quote!(#rt::Constraint::AllOrNone(&[#(#names),*])),
    });
    required.chain(rules).collect()
}

/// The `MethodInfo` constant expression of `m`.
pub fn method_info(m: &Method, rt: &syn::Path) -> TokenStream {
    let name = &m.name;
    let kind = method_kind(m, rt);
    let returns = match m.data {
        DataShape::Array => quote!(#rt::Returns::List),
        DataShape::Object => quote!(#rt::Returns::Item),
        DataShape::None => quote!(#rt::Returns::Nothing),
    };
    let versions = m.versions.iter().map(|v| version(*v, rt));
    let aliases = &m.aliases;
    let aliases = (!aliases.is_empty()).then(|| quote!(.with_aliases(&[#(#aliases),*])));
    let page_limit = m.max_page_size.map(|cap| quote!(.with_page_limit(#cap)));
    let paging = paging(m, rt);
    let constraints = constraints(m, rt);
    let constraints =
        (!constraints.is_empty()).then(|| quote!(.with_constraints(&[#(#constraints),*])));
    quote! {
        #rt::MethodInfo::new(#name, #kind, #returns)
            #aliases
            .with_versions(&[#(#versions),*])
            #page_limit
            #(#paging)*
            #constraints
    }
}
