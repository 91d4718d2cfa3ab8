//! Static files: [`StaticFileHandler`], which serves a directory, the
//! [`StaticFiles`] hooks that change how, and static URLs
//! ([`Context::static_url`](crate::web::Context::static_url)).

mod content;
mod content_type;
mod files;
mod handler;
mod path;
mod url;
mod version_cache;

pub use files::{
    ContentInfo, ContentStream, DefaultStaticFiles, StaticFiles, StaticResource,
    default_set_headers, default_should_return_304,
};
pub use handler::{StaticFileHandler, StaticHandlerArgs};
pub(super) use url::static_routes;
pub(super) use version_cache::VersionCache;
