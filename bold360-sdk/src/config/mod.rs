//! Where the client points and what it reads from its surroundings: endpoints and API
//! versions, the environment variables, the clock.

pub(crate) mod clock;
pub(crate) mod endpoint;
pub mod env;
