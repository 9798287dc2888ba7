//! `Verifier`: the entry point a node uses to check proofs.

use crate::device_key::DevicePublicKey;
use crate::error::Result;
use crate::proof::{
    HeartbeatContext, HeartbeatRef, LeaseAcceptanceRef, VerifiedHeartbeat, VerifiedLeaseAcceptance,
};
use crate::signature::Backend;

/// Verifies POCI proofs with one signature backend.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verifier {
    backend: Backend,
}

impl Verifier {
    /// A verifier using `backend`.
    #[must_use]
    pub const fn new(backend: Backend) -> Self {
        Self { backend }
    }

    /// The backend in use.
    #[must_use]
    pub const fn backend(&self) -> Backend {
        self.backend
    }

    /// Parses and verifies a heartbeat against an already registered device key.
    ///
    /// Steps, in order (SPEC.md, "Heartbeat verification"): size, strict DER, field
    /// bounds, chip key, network, slot, challenge, wallet, signature.
    ///
    /// # Errors
    /// Any parse error of [`HeartbeatRef::from_der`], then the errors of
    /// [`HeartbeatRef::verify`].
    pub fn verify_heartbeat(
        &self,
        der: &[u8],
        key: &DevicePublicKey,
        context: &HeartbeatContext<'_>,
    ) -> Result<VerifiedHeartbeat> {
        let heartbeat = HeartbeatRef::from_der(der)?;
        heartbeat.verify(self.backend, key, context)?;
        Ok(heartbeat.to_verified())
    }

    /// Parses and verifies a lease acceptance signed by the rented chip.
    ///
    /// # Errors
    /// Any parse error of [`LeaseAcceptanceRef::from_der`], then the errors of
    /// [`LeaseAcceptanceRef::verify`].
    pub fn verify_lease_acceptance(
        &self,
        der: &[u8],
        key: &DevicePublicKey,
        network_id: &str,
    ) -> Result<VerifiedLeaseAcceptance> {
        let acceptance = LeaseAcceptanceRef::from_der(der)?;
        acceptance.verify(self.backend, key, network_id)?;
        Ok(acceptance.to_verified())
    }
}
