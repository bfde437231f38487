//! What the manifest says about a method, at run time: its kind, versions, paging, page limit
//! and parameter rules. Every generated module holds its method's `METHOD`, and
//! [`methods::lookup`](crate::methods::lookup) finds them by wire name for code that calls
//! methods by name (the `bold360` CLI, generic tools); both come from the same codegen
//! functions as the typed builders, so they never disagree. The pipeline's validate stage
//! checks [`constraints`](MethodInfo::constraints) on every call of a documented method.

use std::borrow::Cow;

use crate::config::endpoint::ApiVersion;
use crate::error::Error;
use crate::method::constraint::Constraint;
use crate::method::kind::MethodKind;
use crate::method::param::ParamInfo;
use crate::params::Params;

/// How a method pages in one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// v1 style: send back every entry of the response's `Next` object.
    Next,
    /// v2 style: send back `NextPage` as this parameter.
    Cursor(&'static str),
}

/// How a method pages in the version called (from [`MethodInfo::page_style`](crate::MethodInfo::page_style)
/// for documented methods).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStyle {
    /// Send back the `Next` object.
    Next,
    /// Send back `NextPage` as this parameter.
    Cursor(Cow<'static, str>),
    /// This version does not page: one request.
    Single,
}

impl From<Option<Paging>> for PageStyle {
    fn from(paging: Option<Paging>) -> Self {
        match paging {
            Some(Paging::Next) => PageStyle::Next,
            Some(Paging::Cursor(param)) => PageStyle::Cursor(Cow::Borrowed(param)),
            None => PageStyle::Single,
        }
    }
}

/// What a method's `Data` holds; it decides how many records a call reserves by default.
///
/// ```
/// use bold360_sdk::{methods, Returns};
/// assert_eq!(methods::lookup("getChat").unwrap().returns(), Returns::Item);
/// assert_eq!(methods::lookup("getOperators").unwrap().returns(), Returns::List);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returns {
    /// A list of records.
    List,
    /// One record.
    Item,
    /// No data (a write that only reports success).
    Nothing,
}

/// One documented method.
///
/// ```
/// use bold360_sdk::{methods, ApiVersion, MethodKind, Paging};
/// let m = methods::lookup("getAllChatMessages").unwrap();
/// assert_eq!(m.kind(), MethodKind::Read);
/// assert_eq!(m.paging(ApiVersion::V1), Some(Paging::Next));
/// assert_eq!(m.page_limit(), Some(1000));
/// assert!(methods::lookup("noSuchMethod").is_none());
/// ```
///
/// A method of your own, for [`CallInfo::for_method`](crate::CallInfo::for_method):
///
/// ```
/// use bold360_sdk::{ApiVersion, Constraint, MethodInfo, MethodKind, Returns};
/// static GET_WIDGETS: MethodInfo = MethodInfo::new("getWidgets", MethodKind::Read, Returns::List)
///     .with_versions(&[ApiVersion::V2])
///     .with_constraints(&[Constraint::Required("FolderID", &[ApiVersion::V2])]);
/// assert!(GET_WIDGETS.check(ApiVersion::V2, &bold360_sdk::Params::new()).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodInfo {
    name: &'static str,
    aliases: &'static [&'static str],
    kind: MethodKind,
    returns: Returns,
    versions: &'static [ApiVersion],
    page_limit: Option<u32>,
    v1: Option<Paging>,
    v2: Option<Paging>,
    v1_page_size: Option<&'static str>,
    v2_page_size: Option<&'static str>,
    constraints: &'static [Constraint],
    params: &'static [ParamInfo],
    families: &'static [&'static str],
}

impl MethodInfo {
    /// A method in both versions, not paged, without a page limit or parameter rules.
    pub const fn new(name: &'static str, kind: MethodKind, returns: Returns) -> Self {
        Self {
            name,
            aliases: &[],
            kind,
            returns,
            versions: &[ApiVersion::V1, ApiVersion::V2],
            page_limit: None,
            v1: None,
            v2: None,
            v1_page_size: None,
            v2_page_size: None,
            constraints: &[],
            params: &[],
            families: &[],
        }
    }

    /// Other names the service answers to for this method.
    pub const fn with_aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }

    /// The versions the method exists in.
    pub const fn with_versions(mut self, versions: &'static [ApiVersion]) -> Self {
        self.versions = versions;
        self
    }

    /// The largest page the method serves.
    pub const fn with_page_limit(mut self, limit: u32) -> Self {
        self.page_limit = Some(limit);
        self
    }

    /// How the method pages in `version`.
    pub const fn with_paging(mut self, version: ApiVersion, paging: Paging) -> Self {
        match version {
            ApiVersion::V1 => self.v1 = Some(paging),
            ApiVersion::V2 => self.v2 = Some(paging),
        }
        self
    }

    /// The parameter that sets the page size in `version`, when pages start at a record offset
    /// (so each page may be of a different size: the limiter may ask for a smaller one).
    pub const fn with_page_size_param(mut self, version: ApiVersion, name: &'static str) -> Self {
        match version {
            ApiVersion::V1 => self.v1_page_size = Some(name),
            ApiVersion::V2 => self.v2_page_size = Some(name),
        }
        self
    }

    /// Rules on the parameters, checked before any call is sent.
    pub const fn with_constraints(mut self, constraints: &'static [Constraint]) -> Self {
        self.constraints = constraints;
        self
    }

    /// The documented parameters, with their types and versions. A method described without
    /// them takes any parameter unchecked.
    pub const fn with_params(mut self, params: &'static [ParamInfo]) -> Self {
        self.params = params;
        self
    }

    /// Families of parameters the method documents by a pattern (`CustomFields.<name>`),
    /// given as the fixed start of their names (`"CustomFields."`).
    pub const fn with_param_families(mut self, prefixes: &'static [&'static str]) -> Self {
        self.families = prefixes;
        self
    }

    /// The fixed starts of the parameter families the method documents (`"CustomFields."`).
    pub fn param_families(&self) -> &'static [&'static str] {
        self.families
    }

    /// Whether the method documents a parameter of this name: one of its parameters, or a name
    /// one of its families matches (`CustomFields.TicketID`, not a bare `CustomFields.`).
    ///
    /// ```
    /// let m = bold360_sdk::methods::lookup("updateChat").unwrap();
    /// assert!(m.documents("ChatName"));
    /// assert!(m.documents("CustomFields.TicketID"));
    /// assert!(!m.documents("CustomFields."));
    /// assert!(!m.documents("Bogus"));
    /// ```
    pub fn documents(&self, name: &str) -> bool {
        self.param(name).is_some()
            || self.families.iter().any(|prefix| {
                name.strip_prefix(prefix)
                    .is_some_and(|rest| !rest.trim().is_empty())
            })
    }

    /// The wire name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Other names the service answers to (the vendor's older names).
    pub fn aliases(&self) -> &'static [&'static str] {
        self.aliases
    }

    /// Whether `method` is this method's name or one of its aliases.
    pub fn answers_to(&self, method: &str) -> bool {
        self.name == method || self.aliases.contains(&method)
    }

    /// Read (retried on transient failures) or write (retried only when refused).
    pub fn kind(&self) -> MethodKind {
        self.kind
    }

    /// What `Data` holds.
    pub fn returns(&self) -> Returns {
        self.returns
    }

    /// Whether `Data` is a list of records.
    pub fn lists(&self) -> bool {
        self.returns == Returns::List
    }

    /// The versions the method exists in.
    pub fn versions(&self) -> &'static [ApiVersion] {
        self.versions
    }

    /// Whether the method exists in `version`.
    pub fn has_version(&self, version: ApiVersion) -> bool {
        self.versions.contains(&version)
    }

    /// The largest page the docs allow, if they give one.
    pub fn page_limit(&self) -> Option<u32> {
        self.page_limit
    }

    /// How the method pages in `version`; `None` when it answers in one response there.
    pub fn paging(&self, version: ApiVersion) -> Option<Paging> {
        match version {
            ApiVersion::V1 => self.v1,
            ApiVersion::V2 => self.v2,
        }
    }

    /// The parameter that sets each page's size in `version`, when pages start at a record
    /// offset, so that one page may be smaller than the next (`PageSize` of the v1 paged
    /// methods).
    ///
    /// ```
    /// use bold360_sdk::{methods, ApiVersion};
    /// let m = methods::lookup("getAllChatMessages").unwrap();
    /// assert_eq!(m.page_size_param(ApiVersion::V1), Some("PageSize"));
    /// assert_eq!(m.page_size_param(ApiVersion::V2), None, "v2 pages by an opaque cursor");
    /// ```
    pub fn page_size_param(&self, version: ApiVersion) -> Option<&'static str> {
        match version {
            ApiVersion::V1 => self.v1_page_size,
            ApiVersion::V2 => self.v2_page_size,
        }
    }

    /// The rules on its parameters.
    pub fn constraints(&self) -> &'static [Constraint] {
        self.constraints
    }

    /// The documented parameters.
    pub fn params(&self) -> &'static [ParamInfo] {
        self.params
    }

    /// The documented parameter `name`, in any version.
    pub fn param(&self, name: &str) -> Option<&'static ParamInfo> {
        self.params.iter().find(|p| p.name() == name)
    }

    /// The parameters of `params` this method does not document (none when the method was
    /// described without its parameters). The vendor may add parameters before the manifest
    /// knows them, so the pipeline sends them with a warning; the CLI refuses them unless told.
    pub fn undocumented<'p>(&self, params: &'p Params) -> impl Iterator<Item = &'p str> + 'p {
        let this = *self;
        params
            .iter()
            .map(|(name, _)| name)
            .filter(move |name| !this.params.is_empty() && !this.documents(name))
    }

    /// Checks a call in `version` with `params` against everything the manifest says,
    /// naming the parameter at fault: the method exists in `version`; each documented
    /// parameter exists in `version` and its value fits its type; the rules over several
    /// parameters hold.
    ///
    /// ```
    /// use bold360_sdk::{methods, ApiVersion, Params};
    /// let m = methods::lookup("getChat").unwrap();
    /// assert!(m.check(ApiVersion::V1, &Params::new().with("ChatID", "42")).is_ok());
    /// let err = m.check(ApiVersion::V1, &Params::new().with("ChatID", "notanumber")).unwrap_err();
    /// assert!(err.to_string().contains("ChatID"));
    /// ```
    pub fn check(&self, version: ApiVersion, params: &Params) -> Result<(), Error> {
        self.normalize(version, params).map(drop)
    }

    /// [`check`](Self::check), and the parameters as they are sent when a value given by
    /// name was written in another accepted form (an enum's name for its value, a date-time
    /// in another ISO 8601 form): `Some(params)` then, `None` when `params` go as they are.
    ///
    /// ```
    /// use bold360_sdk::{methods, ApiVersion, Params};
    /// let m = methods::lookup("getAllChatMessages").unwrap();
    /// let sent = m.normalize(ApiVersion::V2, &Params::new().with("FromDate", "2024-05-01")).unwrap();
    /// assert_eq!(sent.unwrap().get("FromDate"), Some("2024-05-01T00:00:00Z"));
    /// ```
    pub fn normalize(&self, version: ApiVersion, params: &Params) -> Result<Option<Params>, Error> {
        if !self.has_version(version) {
            let documented: Vec<&str> = self.versions.iter().map(|v| v.as_str()).collect();
            return Err(Error::invalid_request(
                self.name,
                None,
                format!(
                    "{} is not documented in {} (only in {})",
                    self.name,
                    version.as_str(),
                    documented.join(", ")
                ),
            ));
        }
        // Values from typed setters already have the manifest's types and versions (and an
        // enum's `Unknown` is a deliberate choice): only the rules over several parameters.
        let normalized = if params.is_typed() {
            None
        } else {
            self.check_values(version, params)?
        };
        self.constraints
            .iter()
            .try_for_each(|c| c.check(self.name, version, params))?;
        Ok(normalized)
    }

    /// Each documented parameter's version and value: the parameters as sent when a value was
    /// written in another accepted form.
    fn check_values(&self, version: ApiVersion, params: &Params) -> Result<Option<Params>, Error> {
        let mut normalized: Option<Params> = None;
        for (name, value) in params.iter() {
            let Some(param) = self.param(name) else {
                continue;
            };
            if !param.in_version(version) {
                let documented: Vec<&str> = param.versions().iter().map(|v| v.as_str()).collect();
                return Err(Error::invalid_request(
                    self.name,
                    Some(name),
                    format!(
                        "{name} is not a parameter of {} in {} (only in {})",
                        self.name,
                        version.as_str(),
                        documented.join(", ")
                    ),
                ));
            }
            // A blank value is no value: the presence rules below judge it.
            if crate::fields::blank::is_blank(value) {
                continue;
            }
            match param.ty().normalize(value) {
                Ok(sent) if sent == value => {}
                Ok(sent) => {
                    let sent = sent.into_owned();
                    normalized
                        .get_or_insert_with(|| params.clone())
                        .set(name, sent);
                }
                Err(expected) => {
                    let shown = if param.is_sensitive() || params.is_sensitive(name) {
                        "[redacted]".to_owned()
                    } else {
                        format!("{value:?}")
                    };
                    return Err(Error::invalid_request(
                        self.name,
                        Some(name),
                        format!("{name}={shown} is not {expected}"),
                    ));
                }
            }
        }
        Ok(normalized)
    }

    /// Records a call with `params` reserves from the records budget: `PageSize` capped at
    /// the page limit, else the page limit, else a typical page (100) for lists, one record
    /// for single items, none for methods without data.
    ///
    /// ```
    /// use bold360_sdk::{methods, Params};
    /// let m = methods::lookup("getAllChatMessages").unwrap();
    /// assert_eq!(m.expected_records(&Params::new().with("PageSize", 50)), 50);
    /// assert_eq!(m.expected_records(&Params::new().with("PageSize", 5_000)), 1000);
    /// ```
    pub fn expected_records(&self, params: &Params) -> u64 {
        let otherwise = match self.returns {
            Returns::List => 100,
            Returns::Item => 1,
            Returns::Nothing => 0,
        };
        reserved_records(params, self.page_limit.map(u64::from), otherwise)
    }

    /// The page walk for `version`, as [`paging::PagedCall`](crate::paging::PagedCall) takes it.
    pub fn page_style(&self, version: ApiVersion) -> PageStyle {
        PageStyle::from(self.paging(version))
    }
}

/// Records a call to a method the manifest does not describe reserves: its `PageSize`, at most
/// the largest page any documented method serves, else one record.
pub(crate) fn unknown_method_records(params: &Params) -> u64 {
    let cap = u64::from(crate::methods::LARGEST_PAGE_LIMIT);
    reserved_records(params, Some(cap), 1)
}

/// Records a call should reserve: the page size asked for (capped at `cap`), else `cap`, else
/// `otherwise`.
pub(crate) fn reserved_records(params: &Params, cap: Option<u64>, otherwise: u64) -> u64 {
    params
        .get("PageSize")
        .and_then(|v| v.parse::<u64>().ok())
        .map(|size| cap.map_or(size, |cap| size.min(cap)))
        .or(cap)
        .unwrap_or(otherwise)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_in_another_accepted_form_is_sent_as_typed_calls_send_it() {
        let m = crate::methods::lookup("getOperatorAvailability").unwrap();
        let given = Params::new().with("ServiceTypeID", "Chats");
        let sent = m.normalize(ApiVersion::V1, &given).unwrap().unwrap();
        assert_eq!(sent.get("ServiceTypeID"), Some("1"));
        let as_sent = Params::new().with("ServiceTypeID", "1");
        assert_eq!(m.normalize(ApiVersion::V1, &as_sent).unwrap(), None);
        assert!(m
            .normalize(ApiVersion::V1, &Params::new().with("ServiceTypeID", "2"))
            .is_err());
        // Typed setters' values are not checked again (an enum's Unknown goes as given).
        let typed = Params::new().with("ServiceTypeID", "2").__typed();
        assert_eq!(m.normalize(ApiVersion::V1, &typed).unwrap(), None);
    }

    #[test]
    fn a_sensitive_value_is_not_shown_in_the_refusal() {
        static M: MethodInfo = MethodInfo::new("setSecret", MethodKind::Write, Returns::Nothing)
            .with_params(&[crate::method::param::ParamInfo::new(
                "Pin",
                crate::method::param::ParamType::Count,
                &[ApiVersion::V1, ApiVersion::V2],
            )
            .sensitive()]);
        let err = M
            .check(ApiVersion::V1, &Params::new().with("Pin", "hunter2"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Pin=[redacted]") && !err.contains("hunter2"),
            "{err}"
        );
        let mut p = Params::new();
        p.set_sensitive("Other", "s3cret");
        assert_eq!(M.undocumented(&p).collect::<Vec<_>>(), ["Other"]);
        assert_eq!(
            MethodInfo::new("x", MethodKind::Read, Returns::List)
                .undocumented(&p)
                .count(),
            0
        );
    }

    #[test]
    fn reservation_rule() {
        let p = |size: &str| Params::new().with("PageSize", size);
        assert_eq!(reserved_records(&p("50"), Some(1000), 1), 50);
        assert_eq!(reserved_records(&p("5000"), Some(1000), 1), 1000);
        assert_eq!(reserved_records(&p("5000"), None, 1), 5000);
        assert_eq!(reserved_records(&p("junk"), None, 7), 7);
        assert_eq!(reserved_records(&Params::new(), Some(20), 1), 20);
        assert_eq!(reserved_records(&Params::new(), None, 0), 0);
        let write = MethodInfo::new("setX", MethodKind::Write, Returns::Nothing);
        assert_eq!(write.expected_records(&Params::new()), 0);
        let item = MethodInfo::new("getX", MethodKind::Read, Returns::Item);
        assert_eq!(item.expected_records(&Params::new()), 1);
        let list = MethodInfo::new("getXs", MethodKind::Read, Returns::List);
        assert_eq!(list.expected_records(&Params::new()), 100);
    }

    #[test]
    fn the_builder_sets_what_the_accessors_read() {
        const RULES: &[Constraint] = &[Constraint::AllOrNone(&["FromDate", "ToDate"])];
        const M: MethodInfo = MethodInfo::new("getWidgets", MethodKind::Read, Returns::List)
            .with_aliases(&["getAllWidgets"])
            .with_versions(&[ApiVersion::V2])
            .with_page_limit(500)
            .with_paging(ApiVersion::V2, Paging::Cursor("NextPage"))
            .with_constraints(RULES);
        assert_eq!(M.name(), "getWidgets");
        assert_eq!(M.aliases(), ["getAllWidgets"]);
        assert!(M.answers_to("getWidgets") && M.answers_to("getAllWidgets"));
        assert!(!M.answers_to("getWidget"));
        assert!(M.lists());
        assert!(!MethodInfo::new("getWidget", MethodKind::Read, Returns::Item).lists());
        assert_eq!(M.versions(), [ApiVersion::V2]);
        assert!(M.has_version(ApiVersion::V2) && !M.has_version(ApiVersion::V1));
        assert_eq!(M.page_limit(), Some(500));
        assert_eq!(M.paging(ApiVersion::V2), Some(Paging::Cursor("NextPage")));
        assert_eq!(M.paging(ApiVersion::V1), None);
        assert_eq!(
            M.page_style(ApiVersion::V2),
            PageStyle::Cursor(Cow::Borrowed("NextPage"))
        );
        assert_eq!(M.constraints(), RULES);
        let half = Params::new().with("FromDate", "x");
        assert!(M.check(ApiVersion::V2, &half).is_err());
        assert_eq!(M.expected_records(&Params::new()), 500);
        let plain = MethodInfo::new("setX", MethodKind::Write, Returns::Nothing);
        assert_eq!(plain.versions(), [ApiVersion::V1, ApiVersion::V2]);
        assert_eq!((plain.page_limit(), plain.aliases().len()), (None, 0));
        assert_eq!(plain.page_style(ApiVersion::V1), PageStyle::Single);
        let v1 = plain.with_paging(ApiVersion::V1, Paging::Next);
        assert_eq!(v1.paging(ApiVersion::V1), Some(Paging::Next));
        assert_eq!(v1.paging(ApiVersion::V2), None);
    }
}
