//! The verifier: heartbeats one by one or in batches off the main thread, chip bindings,
//! NVIDIA reports and lease acceptances.

use napi::bindgen_prelude::{AsyncTask, BigInt, Buffer, ClassInstance, Unknown};
use napi::{Env, Task};
use napi_derive::napi;

use crate::args::{self, Fields, Name};
use crate::error::{NodeResult, OrThrow, invalid_argument};
use crate::keys::KeyArg;
#[cfg(feature = "bench")]
use crate::keys::PublicKey;
use crate::network::params_arg;
use crate::trust::trust_store_arg;
use crate::types::{
    HeartbeatContext, SlotArgs, VerifiedBinding, VerifiedHeartbeat, VerifiedLeaseAcceptance,
    VerifiedNvidiaReport,
};

/// An owned heartbeat check, ready to cross to a worker thread.
struct OwnedHeartbeat {
    der: Vec<u8>,
    /// Uncompressed SEC1: decoded with its item, so a bad key fails that item only.
    public_key: Vec<u8>,
    context: SlotArgs,
}

impl OwnedHeartbeat {
    fn item(&self) -> poci::HeartbeatSec1Item<'_> {
        poci::HeartbeatSec1Item {
            der: &self.der,
            public_key: &self.public_key,
            context: self.context.context(),
        }
    }
}

/// One item of a heartbeat batch: the key as `verifyHeartbeat` takes it (a `PublicKey` or
/// its SEC1 bytes).
#[napi(object, object_to_js = false)]
pub struct HeartbeatBatchItem {
    pub der: Buffer,
    #[napi(ts_type = "PublicKey | Buffer")]
    pub public_key: Buffer,
    pub context: HeartbeatContext,
}

impl HeartbeatBatchItem {
    /// Reads one item.
    fn read(value: Unknown<'_>, name: Name<'_>) -> NodeResult<OwnedHeartbeat> {
        let fields = Fields::of(
            value,
            name,
            "a HeartbeatBatchItem { der, publicKey, context }",
        )?;
        Ok(OwnedHeartbeat {
            der: fields.get("der", args::bytes)?.to_vec(),
            public_key: fields.get("publicKey", |value, name| {
                KeyArg::read(value, name).map(|key| key.sec1())
            })?,
            context: fields.get("context", HeartbeatContext::read)?,
        })
    }
}

/// One result of a heartbeat batch: `verified` or `error` (its code) and `message`.
#[napi(object)]
pub struct HeartbeatBatchResult {
    pub verified: Option<VerifiedHeartbeat>,
    pub error: Option<String>,
    pub message: Option<String>,
}

/// Verifies a batch on the libuv thread pool.
pub struct VerifyBatch {
    verifier: std::sync::Arc<poci::Verifier>,
    items: Vec<OwnedHeartbeat>,
}

impl Task for VerifyBatch {
    type Output = poci::Result<Vec<poci::Result<poci::VerifiedHeartbeat>>>;
    type JsValue = Vec<HeartbeatBatchResult>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let batch: Vec<poci::HeartbeatSec1Item<'_>> =
            self.items.iter().map(OwnedHeartbeat::item).collect();
        Ok(self.verifier.verify_heartbeats_sec1(&batch))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        // The size was checked before the task was queued, so this cannot refuse; if it did,
        // the message keeps the code (a rejected promise carries no `.code` here).
        let output = output
            .map_err(|error| napi::Error::from_reason(format!("{}: {error}", error.code())))?;
        Ok(output
            .iter()
            .map(|result| match result {
                Ok(verified) => HeartbeatBatchResult {
                    verified: Some(VerifiedHeartbeat::from(verified)),
                    error: None,
                    message: None,
                },
                Err(error) => HeartbeatBatchResult {
                    verified: None,
                    error: Some(error.code().to_owned()),
                    message: Some(error.to_string()),
                },
            })
            .collect())
    }
}

/// What a binding must match.
#[napi(object, object_to_js = false)]
pub struct BindingContext {
    pub epoch: BigInt,
    pub slot: u32,
    pub challenge: Buffer,
    pub wallet: Buffer,
}

/// A read `BindingContext`.
pub(crate) struct BindingArgs {
    pub(crate) epoch: u64,
    pub(crate) slot: u32,
    pub(crate) challenge: [u8; 32],
    pub(crate) wallet: Buffer,
}

impl BindingContext {
    /// Reads a `BindingContext` argument.
    pub(crate) fn read(value: Unknown<'_>, name: Name<'_>) -> NodeResult<BindingArgs> {
        let fields = Fields::of(
            value,
            name,
            "a BindingContext { epoch, slot, challenge, wallet }",
        )?;
        Ok(BindingArgs {
            epoch: fields.get("epoch", args::u64)?,
            slot: fields.get("slot", args::u32)?,
            challenge: fields.get("challenge", args::bytes32)?,
            wallet: fields.get("wallet", args::bytes)?,
        })
    }
}

/// Verifies proofs with one backend and one trust store.
#[napi]
pub struct Verifier(pub(crate) std::sync::Arc<poci::Verifier>);

/// A `Verifier` argument.
pub(crate) fn verifier_arg<'a>(
    value: Unknown<'a>,
    name: Name<'_>,
) -> NodeResult<ClassInstance<'a, Verifier>> {
    args::instance(value, name, "Verifier")
}

/// An optional backend name argument: `"aws-lc"` (the default), `"ring"` or `"pure-rust"`.
fn backend_arg(value: Option<Unknown<'_>>, name: Name<'_>) -> NodeResult<poci::Backend> {
    match args::optional(value, |value| args::string(value, name))? {
        None => Ok(poci::Backend::default()),
        Some(backend) => poci::Backend::from_name(&backend)
            .ok_or_else(|| invalid_argument(&format!("unknown backend {backend:?}"))),
    }
}

#[napi]
impl Verifier {
    /// A verifier; `backend` is `"aws-lc"` (the default), `"ring"` or `"pure-rust"`.
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "TrustStore | undefined | null")] trust_store: Option<Unknown<'_>>,
        #[napi(ts_arg_type = "string | undefined | null")] backend: Option<Unknown<'_>>,
    ) -> napi::Result<Self, String> {
        let trust_store =
            args::optional(trust_store, |value| trust_store_arg(value, &"trustStore"))?;
        let backend = backend_arg(backend, &"backend")?;
        let verifier = match trust_store {
            Some(store) => poci::Verifier::with_trust_store(store.0.clone()),
            None => poci::Verifier::default(),
        };
        Ok(Self(std::sync::Arc::new(verifier.with_backend(backend))))
    }
    /// A verifier over `trustStore`, then each of `later` from its activation epoch
    /// (SPEC.md 18.5; epochs strictly increasing, after 0).
    #[napi(factory)]
    pub fn scheduled(
        #[napi(ts_arg_type = "TrustStore")] trust_store: Unknown<'_>,
        #[napi(ts_arg_type = "Array<bigint>")] activation_epochs: Unknown<'_>,
        #[napi(ts_arg_type = "Array<TrustStore>")] later: Unknown<'_>,
        #[napi(ts_arg_type = "string | undefined | null")] backend: Option<Unknown<'_>>,
    ) -> napi::Result<Self, String> {
        let trust_store = trust_store_arg(trust_store, &"trustStore")?;
        let epochs = args::list(
            activation_epochs,
            &"activationEpochs",
            "an array of bigints",
            args::u64,
        )?;
        let later = args::list(later, &"later", "an array of TrustStore", trust_store_arg)?;
        let backend = backend_arg(backend, &"backend")?;
        if epochs.len() != later.len() {
            return Err(invalid_argument("one activation epoch per trust store"));
        }
        let mut verifier = poci::Verifier::with_trust_store(trust_store.0.clone());
        for (epoch, store) in epochs.into_iter().zip(&later) {
            verifier
                .schedule_trust_store(epoch, store.0.clone())
                .or_throw()?;
        }
        Ok(Self(std::sync::Arc::new(verifier.with_backend(backend))))
    }
    /// Verifies a heartbeat against the chip's registered key (`PublicKey` or SEC1 bytes).
    #[napi]
    pub fn verify_heartbeat(
        &self,
        #[napi(ts_arg_type = "Buffer")] der: Unknown<'_>,
        #[napi(ts_arg_type = "PublicKey | Buffer")] public_key: Unknown<'_>,
        #[napi(ts_arg_type = "HeartbeatContext")] context: Unknown<'_>,
    ) -> napi::Result<VerifiedHeartbeat, String> {
        let der = args::bytes(der, &"der")?;
        let key = KeyArg::read(public_key, &"publicKey")?;
        let key = key.key()?;
        let context = HeartbeatContext::read(context, &"context")?;
        let verified = self
            .0
            .verify_heartbeat(&der, &key, &context.context())
            .or_throw()?;
        Ok(VerifiedHeartbeat::from(&verified))
    }
    /// Verifies many heartbeats off the main thread; resolves to one result per item.
    /// Each item's key is a `PublicKey` or its SEC1 bytes, as `verifyHeartbeat` takes it.
    /// Throws `BATCH_TOO_LARGE` beyond `MAX_BATCH_LEN` (65,536) items, before checking any.
    #[napi(ts_return_type = "Promise<Array<HeartbeatBatchResult>>")]
    pub fn verify_heartbeats(
        &self,
        #[napi(ts_arg_type = "Array<HeartbeatBatchItem>")] items: Unknown<'_>,
    ) -> napi::Result<AsyncTask<VerifyBatch>, String> {
        let items = args::list(
            items,
            &"items",
            "an array of HeartbeatBatchItem",
            HeartbeatBatchItem::read,
        )?;
        poci::limits::check_batch_len(items.len()).or_throw()?;
        Ok(AsyncTask::new(VerifyBatch {
            verifier: self.0.clone(),
            items,
        }))
    }
    /// Verifies an NVIDIA GPU's attestation report and its certificate chain (leaf first)
    /// against the trust store's NVIDIA roots at unix `time`, for `nonce`.
    #[napi]
    pub fn verify_nvidia_report(
        &self,
        #[napi(ts_arg_type = "Buffer")] report: Unknown<'_>,
        #[napi(ts_arg_type = "Array<Buffer>")] chain: Unknown<'_>,
        #[napi(ts_arg_type = "Buffer")] nonce: Unknown<'_>,
        #[napi(ts_arg_type = "bigint")] time: Unknown<'_>,
    ) -> napi::Result<VerifiedNvidiaReport, String> {
        let report = args::bytes(report, &"report")?;
        let chain = args::buffers(chain, &"chain")?;
        let nonce = args::bytes32(nonce, &"nonce")?;
        let time = args::u64(time, &"time")?;
        let chain: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
        Ok(VerifiedNvidiaReport::from(
            &self
                .0
                .verify_nvidia_report(&report, &chain, &nonce, time)
                .or_throw()?,
        ))
    }
    /// Verifies a chip binding submitted by `context.wallet`.
    #[napi]
    pub fn verify_binding(
        &self,
        #[napi(ts_arg_type = "Buffer")] der: Unknown<'_>,
        #[napi(ts_arg_type = "NetworkParams")] params: Unknown<'_>,
        #[napi(ts_arg_type = "BindingContext")] context: Unknown<'_>,
    ) -> napi::Result<VerifiedBinding, String> {
        let der = args::bytes(der, &"der")?;
        let params = params_arg(params, &"params")?;
        let context = BindingContext::read(context, &"context")?;
        let binding = poci::BindingContext::new(
            &params.0,
            context.epoch,
            context.slot,
            &context.challenge,
            &context.wallet,
        );
        Ok(VerifiedBinding::from(
            &self.0.verify_binding(&der, &binding).or_throw()?,
        ))
    }
    /// Verifies a lease acceptance signed by the rented chip (`PublicKey` or SEC1 bytes).
    #[napi]
    pub fn verify_lease_acceptance(
        &self,
        #[napi(ts_arg_type = "Buffer")] der: Unknown<'_>,
        #[napi(ts_arg_type = "PublicKey | Buffer")] public_key: Unknown<'_>,
        #[napi(ts_arg_type = "string")] network_id: Unknown<'_>,
    ) -> napi::Result<VerifiedLeaseAcceptance, String> {
        let der = args::bytes(der, &"der")?;
        let key = KeyArg::read(public_key, &"publicKey")?;
        let key = key.key()?;
        let network_id = args::string(network_id, &"networkId")?;
        Ok(VerifiedLeaseAcceptance::from(
            &self
                .0
                .verify_lease_acceptance(&der, &key, &network_id)
                .or_throw()?,
        ))
    }
}

/// The benchmark hook, only in builds with the `bench` feature (bench/overhead.mjs): not
/// part of the package's API or its type declarations.
#[cfg(feature = "bench")]
#[napi]
impl Verifier {
    /// Times `iterations` calls of verifyHeartbeat inside Rust; nanoseconds per call
    /// (for bench/overhead.mjs, not for verification).
    #[napi]
    pub fn time_verify_heartbeat_in_rust(
        &self,
        #[napi(ts_arg_type = "Buffer")] der: Unknown<'_>,
        #[napi(ts_arg_type = "PublicKey")] public_key: Unknown<'_>,
        #[napi(ts_arg_type = "HeartbeatContext")] context: Unknown<'_>,
        #[napi(ts_arg_type = "number")] iterations: Unknown<'_>,
    ) -> napi::Result<f64, String> {
        let der = args::bytes(der, &"der")?;
        let public_key = args::instance::<PublicKey>(public_key, &"publicKey", "PublicKey")?;
        let context = HeartbeatContext::read(context, &"context")?;
        let iterations = args::u32(iterations, &"iterations")?;
        let context = context.context();
        let start = std::time::Instant::now();
        for _ in 0..iterations {
            self.0
                .verify_heartbeat(&der, &public_key.0, &context)
                .or_throw()?;
        }
        Ok(start.elapsed().as_nanos() as f64 / f64::from(iterations.max(1)))
    }
}
