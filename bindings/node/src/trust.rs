//! Trust material: the chip-model registry and its schedule, vendor-roots/ folders, and
//! the trust store of vendor roots and CRLs.

use napi::bindgen_prelude::{BigInt, Buffer, ClassInstance, Unknown};
use napi_derive::napi;

use crate::args::{self, Fields, Name};
use crate::error::{NodeResult, OrThrow, invalid_argument};
use crate::types::{ChipModel, Manifest, RegistryDiff, Rerating};

/// The chip-model registry.
#[napi]
pub struct ChipModelRegistry(poci::ChipModelRegistry);

/// A `ChipModelRegistry` argument.
fn registry_arg<'a>(
    value: Unknown<'a>,
    name: Name<'_>,
) -> NodeResult<ClassInstance<'a, ChipModelRegistry>> {
    args::instance(value, name, "ChipModelRegistry")
}

#[napi]
impl ChipModelRegistry {
    /// The default registry (real vendors, compiled in).
    #[napi(factory)]
    pub fn embedded() -> napi::Result<Self, String> {
        Ok(Self(poci::ChipModelRegistry::embedded().or_throw()?))
    }
    /// The default registry plus the synthetic test vendors.
    #[napi(factory)]
    pub fn embedded_with_test_vendors() -> napi::Result<Self, String> {
        Ok(Self(
            poci::ChipModelRegistry::embedded_with_test_vendors().or_throw()?,
        ))
    }
    /// A registry from manifests.
    #[napi(factory)]
    pub fn from_manifests(
        #[napi(ts_arg_type = "Array<Manifest>")] manifests: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let manifests = args::list(
            manifests,
            &"manifests",
            "an array of Manifests",
            Manifest::read,
        )?;
        let sources: Vec<poci::ManifestSource<'_>> = manifests
            .iter()
            .map(|(file, toml)| poci::ManifestSource { file, toml })
            .collect();
        Ok(Self(
            poci::ChipModelRegistry::from_manifests(&sources).or_throw()?,
        ))
    }
    /// The model with this id, or null.
    #[napi]
    pub fn get(
        &self,
        #[napi(ts_arg_type = "string")] model_id: Unknown<'_>,
    ) -> napi::Result<Option<ChipModel>, String> {
        let model_id = args::string(model_id, &"modelId")?;
        Ok(self.0.get(&model_id).map(ChipModel::from))
    }
    /// Every model, by id.
    #[napi]
    pub fn models(&self) -> Vec<ChipModel> {
        self.0.models().map(ChipModel::from).collect()
    }
    /// Vendor ids, sorted.
    #[napi]
    pub fn vendor_ids(&self) -> Vec<String> {
        self.0
            .vendors()
            .map(|vendor| vendor.vendor_id.clone())
            .collect()
    }
    /// SHA-256 of the canonical encoding.
    #[napi]
    pub fn digest(&self) -> napi::Result<Buffer, String> {
        Ok(Buffer::from(self.0.digest().or_throw()?.to_vec()))
    }
    /// What changed from this version to `newer`.
    #[napi]
    pub fn diff(
        &self,
        #[napi(ts_arg_type = "ChipModelRegistry")] newer: Unknown<'_>,
    ) -> napi::Result<RegistryDiff, String> {
        let newer = registry_arg(newer, &"newer")?;
        let diff = self.0.diff(&newer.0);
        Ok(RegistryDiff {
            added: diff.added,
            removed: diff.removed,
            rerated: diff
                .rerated
                .into_iter()
                .map(|r| Rerating {
                    model_id: r.model_id,
                    old_milli_cu: BigInt::from(r.old_milli_cu),
                    new_milli_cu: BigInt::from(r.new_milli_cu),
                })
                .collect(),
            changed: diff.changed,
        })
    }
    /// Number of models.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }
}

/// Lists a vendor-roots/ folder and reads the files core's loader reads.
fn folder_files(root: &std::path::Path) -> napi::Result<Vec<(String, Vec<u8>)>, String> {
    poci_folder::read_vendor_roots(root).map_err(|error| invalid_argument(&error.to_string()))
}

/// One file of a vendor-roots/ folder: its path relative to the folder, and its bytes.
#[napi(object, object_to_js = false)]
pub struct FolderFile {
    pub path: String,
    pub bytes: Buffer,
}

impl FolderFile {
    /// Reads an array of `FolderFile` argument as `(relative path, bytes)` pairs.
    fn read_all(value: Unknown<'_>, name: Name<'_>) -> NodeResult<Vec<(String, Vec<u8>)>> {
        args::list(value, name, "an array of FolderFile", |item, name| {
            let fields = Fields::of(item, name, "a FolderFile { path, bytes }")?;
            Ok((
                fields.get("path", args::string)?,
                fields.get("bytes", args::bytes)?.to_vec(),
            ))
        })
    }
}

#[napi]
impl ChipModelRegistry {
    /// The registry of a vendor-roots/ folder's files, given as `{ path, bytes }` (paths
    /// relative to the folder; `fromFolder` lists and reads a folder on disk).
    #[napi(factory)]
    pub fn from_folder_files(
        #[napi(ts_arg_type = "Array<FolderFile>")] files: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let files = FolderFile::read_all(files, &"files")?;
        Ok(Self(
            poci::ChipModelRegistry::from_folder(&poci_folder::as_folder(&files)).or_throw()?,
        ))
    }
    /// The registry of a vendor-roots/ folder (every `<vendor>/manifest.toml`).
    #[napi(factory)]
    pub fn from_folder(
        #[napi(ts_arg_type = "string")] path: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let path = args::string(path, &"path")?;
        let files = folder_files(std::path::Path::new(&path))?;
        Ok(Self(
            poci::ChipModelRegistry::from_folder(&poci_folder::as_folder(&files)).or_throw()?,
        ))
    }
}

/// Whether a file of a vendor-roots/ folder, by its path relative to the folder, is one
/// the loader reads (the others may be left unread).
#[napi]
pub fn is_vendor_roots_file(
    #[napi(ts_arg_type = "string")] path: Unknown<'_>,
) -> napi::Result<bool, String> {
    let path = args::string(path, &"path")?;
    Ok(poci::is_vendor_roots_file(&path))
}

/// Registry versions with their activation epochs.
#[napi]
pub struct RegistrySchedule(poci::RegistrySchedule);

#[napi]
impl RegistrySchedule {
    /// `new RegistrySchedule(epochs, registries)`: one activation epoch per registry version,
    /// epochs strictly increasing.
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "Array<bigint>")] epochs: Unknown<'_>,
        #[napi(ts_arg_type = "Array<ChipModelRegistry>")] registries: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let epochs = args::list(epochs, &"epochs", "an array of bigints", args::u64)?;
        let registries = args::list(
            registries,
            &"registries",
            "an array of ChipModelRegistry",
            registry_arg,
        )?;
        // zip would drop the extra entries of the longer list and rate from the wrong version.
        if epochs.len() != registries.len() {
            return Err(invalid_argument(
                "one activation epoch per registry version",
            ));
        }
        let versions = epochs
            .into_iter()
            .zip(&registries)
            .map(|(epoch, registry)| (epoch, registry.0.clone()))
            .collect();
        Ok(Self(poci::RegistrySchedule::new(versions).or_throw()?))
    }
    /// The model as rated at `epoch`, or null.
    #[napi]
    pub fn lookup(
        &self,
        #[napi(ts_arg_type = "string")] model_id: Unknown<'_>,
        #[napi(ts_arg_type = "bigint")] epoch: Unknown<'_>,
    ) -> napi::Result<Option<ChipModel>, String> {
        let model_id = args::string(model_id, &"modelId")?;
        let epoch = args::u64(epoch, &"epoch")?;
        Ok(self.0.lookup(&model_id, epoch).map(ChipModel::from))
    }
}

/// Trust policy options.
#[napi(object, object_to_js = false)]
pub struct TrustOptions {
    pub allow_test_vendors: Option<bool>,
    pub unknown_revocation: Option<String>,
}

impl TrustOptions {
    /// Reads an optional `TrustOptions` argument into the core policy.
    fn read(value: Option<Unknown<'_>>, name: Name<'_>) -> NodeResult<poci::TrustPolicy> {
        let Some(value) = value.filter(|value| !args::is_absent(value)) else {
            return Ok(poci::TrustPolicy::default());
        };
        let fields = Fields::of(
            value,
            name,
            "a TrustOptions { allowTestVendors?, unknownRevocation? }",
        )?;
        let allow_test_vendors = fields.optional("allowTestVendors", args::boolean)?;
        let unknown_revocation = match fields.optional("unknownRevocation", args::string)? {
            None => poci::UnknownRevocationPolicy::default(),
            Some(name) => poci::UnknownRevocationPolicy::from_name(&name)
                .ok_or_else(|| invalid_argument("unknownRevocation must be 'deny' or 'allow'"))?,
        };
        Ok(poci::TrustPolicy {
            allow_test_vendors: allow_test_vendors.unwrap_or(false),
            unknown_revocation,
        })
    }
}

/// Vendor roots, CRLs and the registry.
#[napi]
#[derive(Clone)]
pub struct TrustStore(pub(crate) poci::TrustStore);

/// A `TrustStore` argument.
pub(crate) fn trust_store_arg<'a>(
    value: Unknown<'a>,
    name: Name<'_>,
) -> NodeResult<ClassInstance<'a, TrustStore>> {
    args::instance(value, name, "TrustStore")
}

#[napi]
impl TrustStore {
    /// An empty store over `registry`.
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "ChipModelRegistry")] registry: Unknown<'_>,
        #[napi(ts_arg_type = "TrustOptions | undefined | null")] options: Option<Unknown<'_>>,
    ) -> napi::Result<Self, String> {
        let registry = registry_arg(registry, &"registry")?;
        let policy = TrustOptions::read(options, &"options")?;
        Ok(Self(poci::TrustStore::new(registry.0.clone(), policy)))
    }
    /// A store from a vendor-roots/ folder: every vendor's manifest, `roots/`, `crls/`
    /// and `intermediates/`; with `includeTestnet`, also `testnet/<vendor>/` roots as test
    /// roots (the one loader of core, shared with the CLI and Python).
    #[napi(factory)]
    pub fn from_folder(
        #[napi(ts_arg_type = "string")] path: Unknown<'_>,
        #[napi(ts_arg_type = "TrustOptions | undefined | null")] options: Option<Unknown<'_>>,
        #[napi(ts_arg_type = "boolean | undefined | null")] include_testnet: Option<Unknown<'_>>,
    ) -> napi::Result<Self, String> {
        let path = args::string(path, &"path")?;
        let policy = TrustOptions::read(options, &"options")?;
        let include_testnet = args::optional(include_testnet, |value| {
            args::boolean(value, &"includeTestnet")
        })?;
        let files = folder_files(std::path::Path::new(&path))?;
        Ok(Self(
            poci::TrustStore::from_folder(
                &poci_folder::as_folder(&files),
                policy,
                include_testnet.unwrap_or(false),
            )
            .or_throw()?,
        ))
    }
    /// The store of a vendor-roots/ folder's files, given as `{ path, bytes }` (as
    /// `fromFolder`, which lists and reads a folder on disk).
    #[napi(factory)]
    pub fn from_folder_files(
        #[napi(ts_arg_type = "Array<FolderFile>")] files: Unknown<'_>,
        #[napi(ts_arg_type = "TrustOptions | undefined | null")] options: Option<Unknown<'_>>,
        #[napi(ts_arg_type = "boolean | undefined | null")] include_testnet: Option<Unknown<'_>>,
    ) -> napi::Result<Self, String> {
        let files = FolderFile::read_all(files, &"files")?;
        let policy = TrustOptions::read(options, &"options")?;
        let include_testnet = args::optional(include_testnet, |value| {
            args::boolean(value, &"includeTestnet")
        })?;
        Ok(Self(
            poci::TrustStore::from_folder(
                &poci_folder::as_folder(&files),
                policy,
                include_testnet.unwrap_or(false),
            )
            .or_throw()?,
        ))
    }
    /// SHA-256 of the store's contents (SPEC.md 11): equal digests, equal trust material.
    #[napi]
    pub fn digest(&self) -> napi::Result<Buffer, String> {
        Ok(self.0.digest().or_throw()?.to_vec().into())
    }
    /// The test-network trust material compiled in.
    #[napi(factory)]
    pub fn embedded_testnet() -> napi::Result<Self, String> {
        Ok(Self(poci::TrustStore::embedded_testnet().or_throw()?))
    }
    /// A copy with a vendor's roots and CRLs (DER or PEM) added; `test` marks stand-ins.
    #[napi]
    pub fn with_roots(
        &self,
        #[napi(ts_arg_type = "string")] vendor_id: Unknown<'_>,
        #[napi(ts_arg_type = "Array<Buffer>")] roots: Unknown<'_>,
        #[napi(ts_arg_type = "Array<Buffer>")] crls: Unknown<'_>,
        #[napi(ts_arg_type = "boolean | undefined | null")] test: Option<Unknown<'_>>,
    ) -> napi::Result<TrustStore, String> {
        let vendor_id = args::string(vendor_id, &"vendorId")?;
        let roots = args::buffers(roots, &"roots")?;
        let crls = args::buffers(crls, &"crls")?;
        let test = args::optional(test, |value| args::boolean(value, &"test"))?;
        let mut store = self.0.clone();
        let kind = if test.unwrap_or(false) {
            poci::RootKind::Test
        } else {
            poci::RootKind::Vendor
        };
        let roots: Vec<&[u8]> = roots.iter().map(Vec::as_slice).collect();
        let crls: Vec<&[u8]> = crls.iter().map(Vec::as_slice).collect();
        store
            .add_roots(&vendor_id, kind, &roots, &crls)
            .or_throw()?;
        Ok(Self(store))
    }
    /// The registry.
    #[napi(getter)]
    pub fn registry(&self) -> ChipModelRegistry {
        ChipModelRegistry(self.0.registry().clone())
    }
    /// Number of roots.
    #[napi(getter)]
    pub fn root_count(&self) -> u32 {
        u32::try_from(self.0.root_count()).unwrap_or(u32::MAX)
    }
    /// Number of models in the registry.
    #[napi(getter)]
    pub fn model_count(&self) -> u32 {
        u32::try_from(self.0.registry().len()).unwrap_or(u32::MAX)
    }
}
