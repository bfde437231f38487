//! The definition of generated ID newtypes, kept here so the proc macro emits one line per
//! type and every ID type behaves the same.

/// Defines an ID newtype: exact text, conversions from `u64` and [`Id`], validated parsing from text
/// (never from another kind), `ToParam`, lenient wire decoding and string serialization.
///
/// Used by generated code; not a stable API.
#[doc(hidden)]
#[macro_export]
macro_rules! __define_id_type {
    ($name:ident, $doc:expr) => {
        #[doc = $doc]
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub $crate::Id);

        impl $name {
            /// The exact text of the ID.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }
        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::write!(f, "{}({})", ::std::stringify!($name), self.0.as_str())
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.0.as_str())
            }
        }
        impl ::std::convert::From<$crate::Id> for $name {
            fn from(id: $crate::Id) -> Self {
                Self(id)
            }
        }
        impl ::std::convert::From<u64> for $name {
            fn from(id: u64) -> Self {
                Self($crate::Id::from(id))
            }
        }
        impl ::std::convert::TryFrom<&str> for $name {
            type Error = $crate::InvalidId;
            /// Validated: the decimal digits of a 64-bit number (see `Id::parse`).
            fn try_from(id: &str) -> ::std::result::Result<Self, $crate::InvalidId> {
                $crate::Id::parse(id).map(Self)
            }
        }
        impl ::std::convert::TryFrom<::std::string::String> for $name {
            type Error = $crate::InvalidId;
            /// Validated: the decimal digits of a 64-bit number (see `Id::parse`).
            fn try_from(
                id: ::std::string::String,
            ) -> ::std::result::Result<Self, $crate::InvalidId> {
                $crate::Id::parse(&id).map(Self)
            }
        }
        impl ::std::str::FromStr for $name {
            type Err = $crate::InvalidId;
            /// Validated: the decimal digits of a 64-bit number (see `Id::parse`).
            fn from_str(text: &str) -> ::std::result::Result<Self, $crate::InvalidId> {
                $crate::Id::parse(text).map(Self)
            }
        }
        impl ::std::convert::From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }
        impl $crate::ToParam for $name {
            fn to_param(&self) -> ::std::string::String {
                self.0.as_str().to_owned()
            }
        }
        impl $crate::wire::Wire for $name {
            const EXPECTING: &'static str = "an ID (string or integer)";
            fn from_wire_str(text: &str) -> ::std::result::Result<Self, ::std::string::String> {
                <$crate::Id as $crate::wire::Wire>::from_wire_str(text).map(Self)
            }
            fn from_wire_f64(value: f64) -> ::std::result::Result<Self, ::std::string::String> {
                <$crate::Id as $crate::wire::Wire>::from_wire_f64(value).map(Self)
            }
        }
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                s: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.0.as_str())
            }
        }
    };
}
