import Foundation
import XCTest
import Poci

/// Every conformance vector through the Swift API; prints `N passed, M failed`.
final class VectorTests: XCTestCase {
    func testEveryVectorPasses() throws {
        let dir = vectorsDirectory()
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        var passed = 0
        var failures: [String] = []
        for name in names {
            let document = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(name))) as! [String: Any]
            XCTAssertEqual(document["schema"] as? Int, 1)
            let stores = document["trust_stores"] as? [String: Any] ?? [:]
            for group in document["groups"] as! [[String: Any]] {
                let operation = group["operation"] as! String
                for testCase in group["cases"] as! [[String: Any]] {
                    let expected = testCase["expected"] as! [String: Any]
                    let actual = runCase(operation, testCase["input"] as! [String: Any], stores)
                    if NSDictionary(dictionary: actual).isEqual(to: expected) {
                        passed += 1
                    } else {
                        failures.append("\(testCase["id"] ?? "?"): got \(actual)")
                    }
                }
            }
        }
        failures.prefix(20).forEach { print("FAILED \($0)") }
        print("\(passed) passed, \(failures.count) failed")
        XCTAssertGreaterThan(passed, 0)
        XCTAssertEqual(failures, [])
    }

    func runCase(_ operation: String, _ input: [String: Any], _ stores: [String: Any]) -> [String: Any] {
        do {
            return ["ok": try run(operation, input, stores)]
        } catch {
            return ["error": code(of: error) ?? "NOT_A_POCI_ERROR"]
        }
    }

    func params(_ value: Any) throws -> NetworkParams {
        let data = try JSONSerialization.data(withJSONObject: value)
        return try NetworkParams.fromJson(text: String(decoding: data, as: UTF8.self))
    }

    func store(_ spec: [String: Any]) throws -> TrustStore {
        let manifests = (spec["manifests"] as! [[String: String]]).map { Manifest(file: $0["file"]!, toml: $0["toml"]!) }
        let policy = spec["policy"] as! [String: Any]
        var trust = TrustStore(
            registry: try ChipModelRegistry.fromManifests(manifests: manifests),
            allowTestVendors: policy["allow_test_vendors"] as! Bool,
            denyUnknownRevocation: (policy["unknown_revocation"] as! String) == "deny"
        )
        for vendor in spec["roots"] as! [[String: Any]] {
            trust = try trust.withRoots(
                vendorId: vendor["vendor_id"] as! String,
                roots: (vendor["roots"] as! [String]).map { Data($0.utf8) },
                crls: (vendor["crls"] as! [String]).map { Data($0.utf8) },
                test: (vendor["kind"] as! String) == "test"
            )
        }
        return trust
    }

    func kind(_ name: String) -> MessageKind {
        switch name {
        case "heartbeat": return .heartbeat
        case "chip_binding": return .chipBinding
        default: return .leaseAcceptance
        }
    }

    func u64(_ value: Any?) -> UInt64 { UInt64(value as! String)! }
    func u32(_ value: Any?) -> UInt32 { (value as! NSNumber).uint32Value }
    func hex(_ value: Any?) -> Data { Data(hex: value as! String) }

    func bindingContext(_ c: [String: Any]) -> BindingContext {
        BindingContext(epoch: u64(c["epoch"]), slot: u32(c["slot"]), challenge: hex(c["challenge"]), wallet: hex(c["wallet"]))
    }

    func manifests(_ value: Any?) -> [Manifest] {
        (value as! [[String: String]]).map { Manifest(file: $0["file"]!, toml: $0["toml"]!) }
    }

    func run(_ operation: String, _ i: [String: Any], _ stores: [String: Any]) throws -> Any {
        switch operation {
        case "network_params":
            let p = try NetworkParams(networkId: i["network_id"] as! String, genesisUnix: u64(i["genesis_unix"]),
                                      epochSeconds: u64(i["epoch_seconds"]), slotsPerEpoch: u32(i["slots_per_epoch"]))
            return try parseJSON(p.toJson())
        case "derive_challenge":
            let c = try deriveChallenge(params: params(i["params"]!), epoch: u64(i["epoch"]), slot: u32(i["slot"]), beacon: hex(i["beacon"]))
            return ["challenge": c.hex]
        case "slot_start_unix":
            return ["unix": dec(try params(i["params"]!).slotStartUnix(epoch: u64(i["epoch"]), slot: u32(i["slot"])))]
        case "slot_at_unix":
            let id = try params(i["params"]!).slotAtUnix(unix: u64(i["unix"]))
            return ["epoch": dec(id.epoch), "slot": num(id.slot)]
        case "device_key":
            let key = try DeviceKey.fromSecretBytes(secret: hex(i["secret_key"]))
            return ["public_key": key.publicKey().sec1().hex, "key_id": key.keyId().hex]
        case "public_key":
            return ["key_id": try PublicKey(sec1: hex(i["public_key"])).keyId().hex]
        case "decode_message":
            let decoded = try decodeMessage(kind: kind(i["kind"] as! String), der: hex(i["der"]))
            return ["message": try parseJSON(decoded.json), "proof_id": decoded.proofId.hex]
        case "message_from_json":
            return ["der": try encodeMessage(kind: kind(i["kind"] as! String), json: i["json"] as! String).hex]
        case "verify_heartbeat":
            let c = i["context"] as! [String: Any]
            let context = HeartbeatContext(networkId: c["network_id"] as! String, epoch: u64(c["epoch"]), slot: u32(c["slot"]),
                                           challenge: hex(c["challenge"]), wallet: hex(c["wallet"]))
            return heartbeatForm(try Verifier(trustStore: nil).verifyHeartbeat(
                der: hex(i["der"]), publicKey: try PublicKey(sec1: hex(i["public_key"])), context: context))
        case "verify_heartbeat_batch":
            let c = i["context"] as! [String: Any]
            let context = HeartbeatContext(networkId: c["network_id"] as! String, epoch: u64(c["epoch"]), slot: u32(c["slot"]),
                                           challenge: hex(c["challenge"]), wallet: hex(c["wallet"]))
            let item = HeartbeatBatchItem(der: hex(i["der"]), publicKey: try PublicKey(sec1: hex(i["public_key"])), context: context)
            let results = try Verifier(trustStore: nil).verifyHeartbeats(
                items: Array(repeating: item, count: Int(u64(i["copies"]))))
            let verified = results.filter { $0.verified != nil }.count
            return ["verified": verified, "refused": results.count - verified]
        case "verify_lease_acceptance":
            return leaseForm(try Verifier(trustStore: nil).verifyLeaseAcceptance(
                der: hex(i["der"]), publicKey: try PublicKey(sec1: hex(i["public_key"])), networkId: i["network_id"] as! String))
        case "verify_binding":
            let c = i["context"] as! [String: Any]
            let verifier = Verifier(trustStore: try store(stores[i["trust_store"] as! String] as! [String: Any]))
            return bindingForm(try verifier.verifyBinding(der: hex(i["der"]), params: params(c["params"]!), context: bindingContext(c)))
        case "trust_store":
            let trust = try store(i["trust_store"] as! [String: Any])
            return ["roots": NSNumber(value: trust.rootCount()), "models": NSNumber(value: trust.modelCount())]
        case "registry":
            let registry = try ChipModelRegistry.fromManifests(manifests: manifests(i["manifests"]))
            return [
                "digest": try registry.digest().hex,
                "models": registry.models().map { ["model_id": $0.modelId, "vendor_id": $0.vendorId, "rating_milli_cu": dec($0.ratingMilliCu)] },
            ]
        case "registry_schedule":
            let versions = i["versions"] as! [[String: Any]]
            let schedule = try RegistrySchedule(
                epochs: versions.map { u64($0["activation_epoch"]) },
                registries: try versions.map { try ChipModelRegistry.fromManifests(manifests: manifests($0["manifests"])) })
            let ratings: [Any] = (i["lookups"] as! [[String: Any]]).map { lookup in
                schedule.lookup(modelId: lookup["model_id"] as! String, epoch: u64(lookup["epoch"])).map { dec($0.ratingMilliCu) as Any } ?? NSNull()
            }
            return ["ratings": ratings]
        case "emission":
            let data = try JSONSerialization.data(withJSONObject: i["schedule"]!)
            let schedule = try EmissionSchedule.fromJson(text: String(decoding: data, as: UTF8.self))
            let epoch = u64(i["epoch"])
            return [
                "emission": try schedule.emission(epoch: epoch),
                "supply_before": try schedule.cumulative(epoch: epoch),
                "supply_after": try schedule.cumulative(epoch: epoch == UInt64.max ? epoch : epoch + 1),
            ]
        case "pools":
            let split = i["split"] as! [String: Any]
            let pools = (split["pools"] as! [[String: Any]]).map { NamedPool(name: $0["name"] as! String, bps: u32($0["bps"])) }
            let amounts = try splitEmission(emission: i["emission"] as! String, minersBps: u32(split["miners_bps"]), pools: pools)
            return ["miners": amounts.miners, "pools": amounts.pools.map { ["name": $0.name, "amount": $0.amount] }]
        case "allocate":
            let policy = i["policy"] as! [String: Any]
            let entries = (i["entries"] as! [[String: Any]]).map {
                Availability(keyId: hex($0["key_id"]), wallet: hex($0["wallet"]), ratingMilliCu: u64($0["rating_milli_cu"]), provenSlots: u32($0["proven_slots"]))
            }
            return allocationForm(try allocate(pool: i["pool"] as! String, availability: entries,
                                               slotsPerEpoch: u32(policy["slots_per_epoch"]), minAvailabilityBps: u32(policy["min_availability_bps"])))
        case "settle_lease":
            let s = try settleLease(price: i["price"] as! String, leaseSlots: i["lease_slots"] as! String, provenSlots: i["proven_slots"] as! String)
            return ["rent": s.rent, "refund": s.refund]
        case "select_producer":
            let candidates = (i["candidates"] as! [[String: Any]]).map { Candidate(keyId: hex($0["key_id"]), weight: $0["weight"] as! String) }
            let producer = try selectProducer(beacon: hex(i["beacon"]), candidates: candidates)
            return ["producer": producer.map { $0.hex as Any } ?? NSNull()]
        case "ledger":
            let verifier = Verifier(trustStore: try store(stores[i["trust_store"] as! String] as! [String: Any]))
            let ledger = ChipLedger(params: try params(i["params"]!))
            func step(_ s: [String: Any]) throws -> Any {
                switch s["op"] as! String {
                case "bind":
                    return outcomeForm(try ledger.applyBinding(verifier: verifier, der: hex(s["der"]), context: bindingContext(s)))
                case "heartbeat":
                    try ledger.applyHeartbeat(verifier: verifier, der: hex(s["der"]), epoch: u64(s["epoch"]), slot: u32(s["slot"]), challenge: hex(s["challenge"]))
                    return ["recorded": true]
                default:
                    let closed = try ledger.closeEpoch(epoch: u64(s["epoch"]))
                    return ["epoch": dec(closed.epoch), "availability": closed.availability.map(availabilityForm)]
                }
            }
            for s in i["setup"] as! [[String: Any]] { _ = try step(s) }
            return try step(i["step"] as! [String: Any])
        default:
            throw NSError(domain: "unknown operation \(operation)", code: 1)
        }
    }
}
