import Foundation
import Poci

/// Hex and JSON-form helpers shared by the tests.
extension Data {
    init(hex: String) {
        var bytes = [UInt8]()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self.init(bytes)
    }

    var hex: String { map { String(format: "%02x", $0) }.joined() }
}

/// The folder of conformance vectors: POCI_VECTORS_DIR, else the repository's.
func vectorsDirectory() -> URL {
    if let dir = ProcessInfo.processInfo.environment["POCI_VECTORS_DIR"] {
        return URL(fileURLWithPath: dir)
    }
    return URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent() // PociTests
        .deletingLastPathComponent() // Tests
        .deletingLastPathComponent() // swift
        .deletingLastPathComponent() // bindings
        .deletingLastPathComponent() // repository root
        .appendingPathComponent("conformance/vectors")
}

func num(_ value: UInt32) -> NSNumber { NSNumber(value: value) }
func dec(_ value: UInt64) -> String { String(value) }

func parseJSON(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}

func heartbeatForm(_ v: VerifiedHeartbeat) -> [String: Any] {
    let hb = v.heartbeat
    return [
        "proof_id": v.proofId.hex,
        "heartbeat": [
            "network_id": hb.networkId,
            "chip_key_id": hb.chipKeyId.hex,
            "wallet": hb.wallet.hex,
            "epoch": dec(hb.epoch),
            "slot": num(hb.slot),
            "challenge": hb.challenge.hex,
            "counter": dec(hb.counter),
            "measurement": hb.measurement.map { $0.hex as Any } ?? NSNull(),
        ] as [String: Any],
    ]
}

func bindingForm(_ v: VerifiedBinding) -> [String: Any] {
    let r = v.record
    return [
        "proof_id": v.proofId.hex,
        "epoch": dec(v.epoch),
        "slot": num(v.slot),
        "record": [
            "key_id": r.keyId.hex,
            "public_key": r.publicKey.hex,
            "serial": r.serial.hex,
            "model_id": r.modelId,
            "vendor_id": r.vendorId,
            "rating_milli_cu": dec(r.ratingMilliCu),
            "security_version": num(r.securityVersion),
            "wallet": r.wallet.hex,
            "binding_counter": dec(r.bindingCounter),
            "certificate_not_after": dec(r.certificateNotAfter),
        ] as [String: Any],
    ]
}

func leaseForm(_ v: VerifiedLeaseAcceptance) -> [String: Any] {
    let l = v.lease
    return [
        "proof_id": v.proofId.hex,
        "lease": [
            "network_id": l.networkId,
            "lease_id": l.leaseId.hex,
            "renter_wallet": l.renterWallet.hex,
            "chip_key_id": l.chipKeyId.hex,
            "first_epoch": dec(l.firstEpoch),
            "last_epoch": dec(l.lastEpoch),
            "price": l.price,
        ] as [String: Any],
    ]
}

func availabilityForm(_ a: Availability) -> [String: Any] {
    ["key_id": a.keyId.hex, "wallet": a.wallet.hex, "rating_milli_cu": dec(a.ratingMilliCu), "proven_slots": num(a.provenSlots)]
}

func allocationForm(_ a: Allocation) -> [String: Any] {
    [
        "pool": a.pool,
        "shares": a.shares.map { s -> [String: Any] in
            [
                "key_id": s.keyId.hex, "wallet": s.wallet.hex, "rating_milli_cu": dec(s.ratingMilliCu),
                "proven_slots": num(s.provenSlots), "eligible": s.eligible, "weight": s.weight, "reward": s.reward,
            ]
        },
        "wallets": a.wallets.map { ["wallet": $0.wallet.hex, "reward": $0.reward] as [String: Any] },
        "unallocated": a.unallocated,
    ]
}

func outcomeForm(_ o: BindingOutcome) -> [String: Any] {
    switch o {
    case .claimed: return ["outcome": "claimed"]
    case .alreadyApplied: return ["outcome": "already_applied"]
    case let .rebound(previousWallet): return ["outcome": "rebound", "previous_wallet": previousWallet.hex]
    case let .equivocation(keyId, bindingCounter, firstProofId, second):
        return [
            "outcome": "equivocation", "key_id": keyId.hex, "binding_counter": dec(bindingCounter),
            "first_proof_id": firstProofId.hex, "second": second.hex,
        ]
    case .unknown: return ["outcome": "unknown"]
    }
}

/// The stable code of a thrown POCI error.
func code(of error: Error) -> String? {
    guard let error = error as? PociError else { return nil }
    switch error {
    case let .Parse(code, _), let .Signature(code, _), let .Certificate(code, _), let .Policy(code, _),
         let .Ledger(code, _), let .Math(code, _), let .InvalidArgument(code, _):
        return code
    }
}
