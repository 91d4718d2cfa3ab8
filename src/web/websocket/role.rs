//! [`Role`]: which end of a connection a codec serves, and so which
//! direction is masked.

/// The end of a WebSocket connection a codec works for (RFC 6455 §5.1).
///
/// Frames a client sends are masked and frames a server sends are not: a
/// [`FrameDecoder`](super::FrameDecoder) refuses frames masked the wrong
/// way for its role, and a [`FrameEncoder`](super::FrameEncoder) masks
/// exactly when its role must.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The accepting end: frames read must be masked, frames written are
    /// not.
    Server,
    /// The connecting end: frames read must be unmasked, frames written
    /// are masked with a fresh random key each.
    Client,
}

impl Role {
    /// Whether frames arriving at this end must carry a masking key.
    pub const fn expects_masked_input(self) -> bool {
        matches!(self, Role::Server)
    }

    /// Whether frames leaving this end are masked.
    pub const fn masks_output(self) -> bool {
        matches!(self, Role::Client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_roles_mask_opposite_directions() {
        assert!(Role::Server.expects_masked_input());
        assert!(!Role::Server.masks_output());
        assert!(!Role::Client.expects_masked_input());
        assert!(Role::Client.masks_output());
    }
}
