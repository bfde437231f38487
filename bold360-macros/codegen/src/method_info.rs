//! A method's run-time description (`METHOD` in its module, and the table `ALL`): the one
//! place the manifest's kind, data shape, versions, paging, page limit and parameter rules
//! become the runtime's `MethodInfo`.

use bold360_api_spec::{Constraint, DataShape, Kind, Method, Param, TypeRef, Version};
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

/// `.with_paging(version, …)` for each version the method pages in, and
/// `.with_page_size_param(version, …)` where pages start at a record offset (so a page may be
/// smaller than the next).
fn paging(m: &Method, rt: &syn::Path) -> Vec<TokenStream> {
    use bold360_api_spec::model::{PagingStyle, StartUnit};
    Version::ALL
        .iter()
        .filter_map(|v| {
            let style = m.paging_for(*v)?;
            let paging = match style {
                PagingStyle::Offset { .. } => quote!(#rt::Paging::Next),
                PagingStyle::Cursor { cursor_param, .. } => {
                    quote!(#rt::Paging::Cursor(#cursor_param))
                }
            };
            let size = match style {
                PagingStyle::Offset {
                    size_param,
                    start_unit: StartUnit::Records,
                    ..
                } => Some(size_param),
                _ => None,
            };
            let v = version(*v, rt);
            let size = size.map(|name| quote!(.with_page_size_param(#v, #name)));
            Some(quote!(.with_paging(#v, #paging) #size))
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

/// A parameter's `ParamType`: an enum carries its values, variant names and meanings.
fn param_type(p: &Param, m: &Method, rt: &syn::Path) -> TokenStream {
    match &p.ty {
        TypeRef::Id => quote!(#rt::ParamType::Id),
        TypeRef::Integer => quote!(#rt::ParamType::Integer),
        TypeRef::Count => quote!(#rt::ParamType::Count),
        TypeRef::Number => quote!(#rt::ParamType::Number),
        TypeRef::Boolean => quote!(#rt::ParamType::Boolean),
        TypeRef::String => quote!(#rt::ParamType::String),
        TypeRef::Datetime => quote!(#rt::ParamType::DateTime),
        TypeRef::Json => quote!(#rt::ParamType::Json),
        TypeRef::Enum(name) => match m.enums.get(name) {
            Some(values) => {
                let names = super::enums::variant_names(values);
                let entries = values.iter().zip(&names).map(|((value, meaning), name)| {
                    quote!(#rt::EnumValue { value: #value, name: #name, meaning: #meaning })
                });
                quote!(#rt::ParamType::Enum(&[#(#entries),*]))
            }
            // Validation guarantees every enum a parameter names is defined.
            None => quote!(#rt::ParamType::String),
        },
    }
}

/// `ParamInfo` of every documented parameter, in the versions the method has.
fn params(m: &Method, rt: &syn::Path) -> Vec<TokenStream> {
    m.params
        .iter()
        .map(|p| {
            let name = &p.name;
            let ty = param_type(p, m, rt);
            let versions = p
                .versions
                .iter()
                .filter(|v| m.versions.contains(v))
                .map(|v| version(*v, rt));
            let sensitive = p.sensitive.then(|| quote!(.sensitive()));
            quote!(#rt::ParamInfo::new(#name, #ty, &[#(#versions),*]) #sensitive)
        })
        .collect()
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
    let params = params(m, rt);
    let params = (!params.is_empty()).then(|| quote!(.with_params(&[#(#params),*])));
    let families: Vec<&str> = m.dynamic_params.iter().filter_map(|d| d.prefix()).collect();
    let families = (!families.is_empty()).then(|| quote!(.with_param_families(&[#(#families),*])));
    quote! {
        #rt::MethodInfo::new(#name, #kind, #returns)
            #aliases
            .with_versions(&[#(#versions),*])
            #page_limit
            #(#paging)*
            #constraints
            #params
            #families
    }
}
