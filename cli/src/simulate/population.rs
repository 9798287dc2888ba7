//! The simulated population: chips of the registry's real models under the testnet
//! vendors, their wallets, and how reliably each stays online. Deterministic from a seed.

use std::collections::BTreeMap;

use poci::evidence::nvidia_emulator::{EmulatedGpu, NvidiaTestnetCa, board_for_model};
use poci::x509::mint::{TestVendor, testnet_vendor};
use poci::{ChipIdentity, ChipModelRegistry, DeviceKey, EvidenceKind, KeyId};
use rayon::prelude::*;

use crate::error::{CliError, setup};

/// SplitMix64: the simulation's only source of randomness, so a seed replays a run exactly.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a text seed and a stream name (FNV-1a of both).
    pub fn new(seed: &str, stream: &str) -> Self {
        let mut state: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in seed.bytes().chain([0]).chain(stream.bytes()) {
            state = (state ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        Self(state)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (`bound` > 0; the modulo bias is irrelevant here).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64().checked_rem(bound).unwrap_or(0)
    }

    /// True with probability `per_10k` / 10 000.
    pub fn chance(&mut self, per_10k: u64) -> bool {
        self.below(10_000) < per_10k
    }

    /// 32 random bytes.
    pub fn bytes32(&mut self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for chunk in out.chunks_mut(8) {
            chunk.copy_from_slice(&self.next_u64().to_be_bytes());
        }
        out
    }
}

/// How a chip behaves from slot to slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Online, missing a rare slot.
    Reliable,
    /// Goes on and off in runs of slots.
    Flapping,
    /// Online until a slot, then gone for good.
    GoesOffline {
        /// First global slot it misses.
        from_slot: u64,
    },
}

/// How a simulated chip proves itself.
#[derive(Debug, Clone)]
pub enum ChipProof {
    /// POCI's own messages under a testnet vendor.
    Poci {
        /// The device key (in a real chip, it never leaves the security engine).
        key: DeviceKey,
        /// Device certificate, then the vendor's intermediate.
        certificates: Vec<Vec<u8>>,
    },
    /// An emulated NVIDIA GPU in confidential-computing mode: SPDM reports under the testnet
    /// NVIDIA chain.
    NvidiaSpdm(EmulatedGpu),
}

/// One in this many chips of a model the NVIDIA emulator has a board for proves itself with
/// `nvidia-spdm` evidence (a GPU in confidential-computing mode); the rest with POCI's own.
const NVIDIA_EVIDENCE_EVERY: u64 = 8;

/// The firmware the emulated GPUs run.
const GPU_FIRMWARE: &str = "96.00.9f.00.01";

/// A simulated chip: how it proves itself, its owner, its behaviour.
#[derive(Debug, Clone)]
pub struct Chip {
    /// Index into the model table.
    pub model: usize,
    /// Its keys and certificates.
    pub proof: ChipProof,
    /// Its key id, as the ledger knows it.
    pub key_id: KeyId,
    /// Serial in the POCI device certificate (empty for an NVIDIA GPU: its identity
    /// certificate holds its own).
    pub serial: Vec<u8>,
    /// Index of the owning wallet.
    pub wallet: usize,
    /// Epoch in which it binds (most at 0, some join later).
    pub joins_epoch: u64,
    /// Behaviour.
    pub behaviour: Behaviour,
}

impl Chip {
    /// The kind of evidence it proves itself with.
    pub const fn evidence(&self) -> EvidenceKind {
        match self.proof {
            ChipProof::Poci { .. } => EvidenceKind::Poci,
            ChipProof::NvidiaSpdm(_) => EvidenceKind::NvidiaSpdm,
        }
    }

    /// Its POCI device key and certificates, if it proves itself with POCI messages.
    pub const fn poci(&self) -> Option<(&DeviceKey, &Vec<Vec<u8>>)> {
        match &self.proof {
            ChipProof::Poci { key, certificates } => Some((key, certificates)),
            ChipProof::NvidiaSpdm(_) => None,
        }
    }
}

/// A model in the mix: its registry entry and its vendor's testnet PKI.
#[derive(Debug, Clone)]
pub struct SimModel {
    /// Registry id.
    pub model_id: String,
    /// Name for people.
    pub display_name: String,
    /// Vendor id.
    pub vendor_id: String,
    /// Rating, milli-CU.
    pub rating_milli_cu: u64,
    /// The registry's remarks on its figures (why a model is rated 0, for one).
    pub note: String,
    /// Index of the vendor in the vendor table.
    pub vendor: usize,
    /// Relative share of the fleet.
    pub weight: u64,
    /// Where its chips run.
    pub site: Site,
}

/// Where a chip runs, which sets how often it flaps or goes away for good (per 10 000 chips).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// A data center: redundant power and network.
    DataCenter,
    /// A home or office rig.
    Home,
    /// An edge device on a flaky link.
    Edge,
}

impl Site {
    /// Name for people.
    pub const fn name(self) -> &'static str {
        match self {
            Self::DataCenter => "data center",
            Self::Home => "home",
            Self::Edge => "edge",
        }
    }

    /// (flapping, going offline) chips per 10 000.
    const fn unreliability(self) -> (u64, u64) {
        match self {
            Self::DataCenter => (300, 200),
            Self::Home => (1_500, 600),
            Self::Edge => (1_200, 900),
        }
    }
}

use Site::{DataCenter, Edge, Home};

/// Relative frequency of a model in the simulated fleet and where it runs: data-center
/// accelerators first, then consumer GPUs and edge NPUs. Models not listed get 2, edge.
const FLEET_MIX: &[(&str, u64, Site)] = &[
    ("nvidia-h100-sxm", 160, DataCenter),
    ("nvidia-h100-pcie", 60, DataCenter),
    ("nvidia-h200-sxm", 40, DataCenter),
    ("nvidia-b200", 30, DataCenter),
    ("nvidia-a100-80gb-sxm", 90, DataCenter),
    ("nvidia-a100-80gb-pcie", 40, DataCenter),
    ("nvidia-a100-40gb", 40, DataCenter),
    ("nvidia-l40s", 40, DataCenter),
    ("nvidia-rtx-4090", 150, Home),
    ("nvidia-rtx-3090", 80, Home),
    ("nvidia-a10", 30, DataCenter),
    ("nvidia-t4", 40, DataCenter),
    ("nvidia-jetson-agx-orin-64gb", 15, Edge),
    ("amd-mi300x", 40, DataCenter),
    ("amd-mi250x", 15, DataCenter),
    ("google-tpu-v4", 15, DataCenter),
    ("google-tpu-v5e", 25, DataCenter),
    ("intel-gaudi2", 12, DataCenter),
    ("intel-gaudi3", 8, DataCenter),
    ("huawei-ascend-910", 10, DataCenter),
    ("huawei-ascend-910b", 15, DataCenter),
    ("sophgo-bm1684", 25, Edge),
    ("sophgo-bm1684x", 35, Edge),
    ("qualcomm-cloud-ai-100-standard", 6, DataCenter),
    ("qualcomm-cloud-ai-100-pro", 6, DataCenter),
    ("qualcomm-cloud-ai-100-ultra", 4, DataCenter),
    ("hailo-8", 12, Edge),
    ("rockchip-rk3588", 12, Edge),
];

/// The fleet: vendors, models, wallets and chips.
#[derive(Debug)]
pub struct Population {
    /// Testnet PKI of each real vendor, in registry order.
    pub vendors: Vec<TestVendor>,
    /// The models of the real vendors, in registry order.
    pub models: Vec<SimModel>,
    /// Wallet addresses.
    pub wallets: Vec<Vec<u8>>,
    /// The chips.
    pub chips: Vec<Chip>,
}

/// The sizes and seed of a fleet.
#[derive(Debug, Clone, Copy)]
pub struct FleetShape<'a> {
    /// Seed text.
    pub seed: &'a str,
    /// Number of chips.
    pub chips: usize,
    /// Number of wallets (at most one a chip is created).
    pub wallets: usize,
    /// Epochs simulated.
    pub epochs: u64,
    /// Slots per epoch.
    pub slots_per_epoch: u32,
}

impl Population {
    /// Mints the fleet: every chip's key and certificate, in parallel.
    pub fn mint(registry: &ChipModelRegistry, shape: FleetShape<'_>) -> Result<Self, CliError> {
        let mut vendors = Vec::new();
        let mut models = Vec::new();
        for vendor in registry.vendors().filter(|vendor| !vendor.test) {
            let index = vendors.len();
            vendors.push(
                testnet_vendor(&vendor.vendor_id, &vendor.display_name)
                    .map_err(setup("testnet vendor"))?,
            );
            for model in registry
                .models()
                .filter(|model| model.vendor_id == vendor.vendor_id)
            {
                let (weight, site) = FLEET_MIX
                    .iter()
                    .find(|(id, _, _)| *id == model.model_id)
                    .map_or((2, Edge), |(_, weight, site)| (*weight, *site));
                models.push(SimModel {
                    model_id: model.model_id.clone(),
                    display_name: model.display_name.clone(),
                    vendor_id: model.vendor_id.clone(),
                    rating_milli_cu: model.rating_milli_cu,
                    note: model.note.clone(),
                    vendor: index,
                    weight,
                    site,
                });
            }
        }
        let total_weight: u64 = models.iter().map(|model| model.weight).sum();
        // No more wallets than chips: a wallet is an owner.
        let shape = FleetShape {
            wallets: shape.wallets.min(shape.chips),
            ..shape
        };
        if models.is_empty() || total_weight == 0 || shape.wallets == 0 {
            return Err(CliError::Usage(
                "the simulation needs at least one model and one wallet".into(),
            ));
        }
        let wallets = (0..shape.wallets)
            .map(|index| format!("wallet-{index:04}").into_bytes())
            .collect();
        let total_slots = shape
            .epochs
            .saturating_mul(u64::from(shape.slots_per_epoch));
        let mut rng = Rng::new(shape.seed, "population");
        let mut emulable = 0u64;
        let plans: Vec<(usize, usize, u64, Behaviour, bool)> = (0..shape.chips)
            .map(|_| {
                let model = pick_weighted(&models, rng.below(total_weight));
                // Every eighth chip of a model the emulator builds, the first one included.
                let nvidia = models
                    .get(model)
                    .and_then(|spec| board_for_model(&spec.model_id))
                    .is_some_and(|_| {
                        let pick = emulable.checked_rem(NVIDIA_EVIDENCE_EVERY) == Some(0);
                        emulable = emulable.saturating_add(1);
                        pick
                    });
                // Skewed ownership: a few large operators, a long tail of small ones.
                let draw = rng.below(1 << 16);
                let wallet = usize::try_from(
                    draw.saturating_mul(draw)
                        .saturating_mul(shape.wallets as u64)
                        >> 32,
                )
                .unwrap_or(0)
                .min(shape.wallets.saturating_sub(1));
                let joins_epoch = if shape.epochs > 1 && rng.chance(300) {
                    rng.below(shape.epochs.saturating_sub(1)).saturating_add(1)
                } else {
                    0
                };
                let (flapping, leaving) = models
                    .get(model)
                    .map_or(Edge, |model| model.site)
                    .unreliability();
                let roll = rng.below(10_000);
                let behaviour = if roll < flapping {
                    Behaviour::Flapping
                } else if roll < flapping.saturating_add(leaving) {
                    Behaviour::GoesOffline {
                        from_slot: rng.below(total_slots.max(1)),
                    }
                } else {
                    Behaviour::Reliable
                };
                (model, wallet, joins_epoch, behaviour, nvidia)
            })
            .collect();
        let gpu_ca = NvidiaTestnetCa::testnet().map_err(setup("testnet NVIDIA CA"))?;
        let chips = plans
            .par_iter()
            .enumerate()
            .map(
                |(index, &(model, wallet, joins_epoch, behaviour, nvidia))| {
                    let spec = models
                        .get(model)
                        .ok_or_else(|| CliError::Usage("model index out of range".into()))?;
                    let vendor = vendors
                        .get(spec.vendor)
                        .ok_or_else(|| CliError::Usage("vendor index out of range".into()))?;
                    if let Some(board) = board_for_model(&spec.model_id).filter(|_| nvidia) {
                        let gpu = gpu_ca
                            .gpu(board, &format!("{}/gpu/{index}", shape.seed), GPU_FIRMWARE)
                            .map_err(setup("emulating a GPU"))?;
                        return Ok(Chip {
                            model,
                            key_id: gpu.key_id().map_err(setup("emulating a GPU"))?,
                            serial: Vec::new(),
                            proof: ChipProof::NvidiaSpdm(gpu),
                            wallet,
                            joins_epoch,
                            behaviour,
                        });
                    }
                    let serial = format!("SIM-{index:06}").into_bytes();
                    let identity = ChipIdentity {
                        model_id: spec.model_id.clone(),
                        serial: serial.clone(),
                        security_version: 1,
                    };
                    let (key, certificate) = vendor
                        .mint_chip(
                            format!("{}/chip/{index}", shape.seed).as_bytes(),
                            &identity,
                            // Certificate serials are positive (RFC 5280).
                            u64::try_from(index).map_or(u64::MAX, |n| n.saturating_add(1)),
                        )
                        .map_err(setup("minting a chip"))?;
                    Ok(Chip {
                        model,
                        key_id: *key.key_id(),
                        proof: ChipProof::Poci {
                            key,
                            certificates: vec![certificate, vendor.intermediate_der.clone()],
                        },
                        serial,
                        wallet,
                        joins_epoch,
                        behaviour,
                    })
                },
            )
            .collect::<Result<Vec<_>, CliError>>()?;
        Ok(Self {
            vendors,
            models,
            wallets,
            chips,
        })
    }

    /// Wallets that own a chip when the fleet is minted.
    pub fn owners(&self) -> std::collections::BTreeSet<usize> {
        self.chips.iter().map(|chip| chip.wallet).collect()
    }

    /// Chips per model index.
    pub fn chips_per_model(&self) -> BTreeMap<usize, u64> {
        let mut counts = BTreeMap::new();
        for chip in &self.chips {
            let count = counts.entry(chip.model).or_insert(0u64);
            *count = count.saturating_add(1);
        }
        counts
    }
}

/// The model whose cumulative weight first exceeds `draw`.
fn pick_weighted(models: &[SimModel], mut draw: u64) -> usize {
    for (index, model) in models.iter().enumerate() {
        if draw < model.weight {
            return index;
        }
        draw = draw.saturating_sub(model.weight);
    }
    models.len().saturating_sub(1)
}

/// Whether a chip answers a global slot, given whether it answered the previous one.
pub fn online(chip: &Chip, global_slot: u64, was_online: bool, rng: &mut Rng) -> bool {
    match chip.behaviour {
        Behaviour::Reliable => !rng.chance(50),
        Behaviour::Flapping => {
            if rng.chance(2_500) {
                !was_online
            } else {
                was_online
            }
        }
        Behaviour::GoesOffline { from_slot } => global_slot < from_slot && !rng.chance(50),
    }
}
