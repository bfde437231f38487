//! Every documented method as a typed call, generated at compile time from the manifest in
//! `bold360-api-spec`: one module per method (its request builder, record type and enums),
//! the methods on [`Api<V1>`](crate::Api) / [`Api<V2>`](crate::Api) that create requests, and
//! the method table ([`lookup`], [`ALL`]) that calls by name are checked against.
//!
//! ```no_run
//! # async fn demo(client: bold360_sdk::Client) -> Result<(), bold360_sdk::Error> {
//! use bold360_sdk::ids::FolderId;
//! let page = client
//!     .v1()
//!     .get_inactive_chats(FolderId::from(9007199254740993u64))
//!     .page_size(500)
//!     .send()
//!     .await?;
//! for chat in page.data.iter().flatten() {
//!     println!("{:?} in department {:?}", chat.chat_id, chat.department_id);
//! }
//! # Ok(()) }
//! ```

#[cfg(not(bold360_golden))]
bold360_macros::bold360_api!(embedded);
// `.ci/run` compiles the checked-in expansion in the macro's place
// (`cargo rustc -p bold360-sdk --lib -- --cfg bold360_golden`), so the golden file is not only
// compared with the expansion but compiled as the SDK's methods.
#[cfg(bold360_golden)]
include!("../../bold360-macros/tests/output/methods.rs");
