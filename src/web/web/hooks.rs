//! [`Hooks`]: the handler type's functions the [`Context`] calls on its
//! own (while finishing, or when asked for the current user).

use std::any::Any;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Context, ETag, RequestHandler, WebResult};
use crate::template::{BaseLoader, Namespace};

/// The user a request is authenticated as: any value, shared (see
/// [`Context::current_user`]).
pub type CurrentUser = Arc<dyn Any + Send + Sync>;

/// The associated functions of a handler type that its requests'
/// contexts call.
pub(super) struct Hooks {
    pub(super) compute_etag: fn(&Context) -> Option<ETag>,
    pub(super) get_current_user: fn(&Context) -> Option<CurrentUser>,
    pub(super) get_login_url: fn(&Context) -> WebResult<String>,
    pub(super) decode_argument: fn(&Context, &[u8], &str) -> WebResult<String>,
    pub(super) get_template_namespace: fn(&Context, &mut Namespace),
    pub(super) get_template_path: fn(&Context) -> Option<PathBuf>,
    pub(super) create_template_loader: fn(&Context, &Path) -> Arc<dyn BaseLoader>,
    pub(super) render_linked_js: fn(&Context, &[String]) -> WebResult<String>,
    pub(super) render_embed_js: fn(&Context, &[String]) -> WebResult<String>,
    pub(super) render_linked_css: fn(&Context, &[String]) -> WebResult<String>,
    pub(super) render_embed_css: fn(&Context, &[String]) -> WebResult<String>,
}

impl Hooks {
    /// The hooks of handler type `H`, made once at compile time.
    pub(super) fn of<H: RequestHandler>() -> &'static Hooks {
        &HooksOf::<H>::HOOKS
    }
}

/// Where the hooks of handler type `H` are kept.
struct HooksOf<H>(PhantomData<H>);

impl<H: RequestHandler> HooksOf<H> {
    const HOOKS: Hooks = Hooks {
        compute_etag: H::compute_etag,
        get_current_user: H::get_current_user,
        get_login_url: H::get_login_url,
        decode_argument: H::decode_argument,
        get_template_namespace: H::get_template_namespace,
        get_template_path: H::get_template_path,
        create_template_loader: H::create_template_loader,
        render_linked_js: H::render_linked_js,
        render_embed_js: H::render_embed_js,
        render_linked_css: H::render_linked_css,
        render_embed_css: H::render_embed_css,
    };
}
