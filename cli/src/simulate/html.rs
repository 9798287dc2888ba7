//! The run's report page: one self-contained HTML file, charts drawn as inline SVG here
//! (no scripts, no fonts, nothing fetched), readable offline.

use std::fmt::Write as _;

use crate::rewards::{group_digits, tokens};
use crate::simulate::summary::{RunSummary, cu, percent};

/// Escapes text for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1000px;color:#1d2330;padding:0 1rem}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{padding:.25rem .5rem;border-bottom:1px solid #dde1ea;text-align:right}\
th:first-child,td:first-child{text-align:left}.ok{color:#17803d;font-weight:600}.bad{color:#b3261e;font-weight:700}\
.muted{color:#5b6475}svg{background:#fafbfd;border:1px solid #dde1ea;border-radius:6px}\
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{flex:1;min-width:180px;border:1px solid #dde1ea;border-radius:6px;padding:.6rem .8rem}\
.card b{display:block;font-size:1.3rem}";

/// The report page of a run.
pub fn render(summary: &RunSummary) -> String {
    let mut page = String::new();
    let refused = summary
        .attacks
        .iter()
        .filter(|attack| attack.refused_as_expected())
        .count();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>POCI simulation: {network}</title><style>{STYLE}</style></head><body>\n\
         <h1>POCI simulated network</h1><p class=\"muted\">network <code>{network}</code>, seed \
         <code>{seed}</code>: {chips} chips of {models} models owned by {wallets} wallets, {epochs} epochs \
         of {slots} one-hour slots. Every proof is a real signature (P-256, or P-384 for NVIDIA GPUs) checked by the node.</p>\n",
        network = escape(summary.network.network_id()),
        seed = escape(&summary.seed),
        chips = group_digits(summary.chips),
        models = summary.models.len(),
        wallets = group_digits(summary.wallets),
        epochs = summary.epochs,
        slots = summary.slots_per_epoch,
    );
    let speed = &summary.throughput;
    let verdict = if summary.faults.is_empty() {
        "<span class=\"ok\">all checks passed</span>".to_owned()
    } else {
        format!(
            "<span class=\"bad\">{} fault(s)</span>",
            summary.faults.len()
        )
    };
    let paid: u128 = summary
        .epochs_paid
        .iter()
        .fold(0, |sum, epoch| sum.saturating_add(epoch.paid));
    let _ = writeln!(
        page,
        "<div class=\"cards\"><div class=\"card\">verdict<b>{verdict}</b></div>\
         <div class=\"card\">attacks refused as expected<b>{refused} / {attacks}</b></div>\
         <div class=\"card\">heartbeats verified<b>{checked}</b>{per_second} per second on {threads} threads</div>\
         <div class=\"card\">paid to chips<b>{paid}</b>tokens over {epochs} epochs</div></div>",
        attacks = summary.attacks.len(),
        checked = group_digits(speed.heartbeats_verified),
        per_second = group_digits(speed.verified_per_second),
        threads = speed.threads,
        paid = tokens(paid, 0),
        epochs = summary.epochs,
    );
    for fault in &summary.faults {
        let _ = writeln!(page, "<p class=\"bad\">{}</p>", escape(fault));
    }
    page.push_str("<h2>Rewards per model</h2>\n");
    page.push_str(&rewards_chart(summary));
    page.push_str("<h2>Availability over slots</h2><p class=\"muted\">Share of bound chips that proved each slot; dashed lines are epoch boundaries, the red mark the slot of the attacks and the sale, the yellow band the biggest operator's outage. The axis spans the data's range, not 0 to 100%.</p>\n");
    page.push_str(&availability_chart(summary));
    page.push_str(&model_table(summary));
    page.push_str(&evidence_table(summary));
    page.push_str(&consensus_table(summary));
    page.push_str(&attack_table(summary));
    page.push_str(&refusal_table(summary));
    page.push_str(&epoch_table(summary));
    page.push_str("<p class=\"muted\">Epoch reports: <code>epoch-N.json</code> in this folder; re-compute one with <code>poci rewards --params rewards-params.json --proven epoch-N.proven.json</code>.</p>\n</body></html>\n");
    page
}

fn rewards_chart(summary: &RunSummary) -> String {
    let mut models: Vec<_> = summary.models.iter().collect();
    models.sort_by(|a, b| b.reward.cmp(&a.reward).then(a.model_id.cmp(&b.model_id)));
    let max = models
        .iter()
        .map(|model| model.reward)
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_width, bar_width, row) = (230u32, 560u32, 22u32);
    let height = row
        .saturating_mul(u32::try_from(models.len()).unwrap_or(0))
        .saturating_add(10);
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"rewards per model\" width=\"960\" height=\"{height}\" viewBox=\"0 0 960 {height}\" xmlns=\"http://www.w3.org/2000/svg\">\n"
    );
    for (index, model) in models.iter().enumerate() {
        let y = row
            .saturating_mul(u32::try_from(index).unwrap_or(0))
            .saturating_add(5);
        let width = u32::try_from(
            model
                .reward
                .saturating_mul(u128::from(bar_width))
                .checked_div(max)
                .unwrap_or(0),
        )
        .unwrap_or(0);
        let _ = writeln!(
            svg,
            "<text x=\"{lx}\" y=\"{ty}\" font-size=\"12\" text-anchor=\"end\">{name}</text>\
             <rect x=\"{label_width}\" y=\"{y}\" width=\"{width}\" height=\"16\" fill=\"#3b6fd8\"><title>{name}: {full} tokens</title></rect>\
             <text x=\"{vx}\" y=\"{ty}\" font-size=\"12\" fill=\"#1d2330\">{value} ({chips} chips)</text>",
            lx = label_width.saturating_sub(8),
            ty = y.saturating_add(13),
            name = escape(&model.model_id),
            full = tokens(model.reward, 6),
            vx = label_width.saturating_add(width).saturating_add(6),
            value = tokens(model.reward, 0),
            chips = group_digits(model.chips),
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The y axis of the availability chart: (low, high, step) in basis points, ticks every
/// `step` from `low` to `high`, covering every value with at most six steps, within 0..=100%.
fn axis_range(values: impl Iterator<Item = u64>) -> (u64, u64, u64) {
    const STEPS: [u64; 11] = [10, 20, 25, 50, 100, 200, 250, 500, 1_000, 2_000, 2_500];
    let (min, max) = values.fold((u64::MAX, 0u64), |(min, max), value| {
        let value = value.min(10_000);
        (min.min(value), max.max(value))
    });
    if min > max {
        return (0, 10_000, 2_500);
    }
    for step in STEPS {
        let low = min.checked_div(step).unwrap_or(0).saturating_mul(step);
        let mut high = max.div_ceil(step).saturating_mul(step).min(10_000);
        if high <= low {
            high = low.saturating_add(step);
        }
        let (low, high) = if high > 10_000 {
            (10_000u64.saturating_sub(step), 10_000)
        } else {
            (low, high)
        };
        if high.saturating_sub(low).checked_div(step).unwrap_or(0) <= 6 {
            return (low, high, step);
        }
    }
    (0, 10_000, 2_500)
}

fn availability_chart(summary: &RunSummary) -> String {
    let series = &summary.availability_by_slot_bps;
    let points = series.get("all").map_or(&[][..], Vec::as_slice);
    let (left, top, width, height) = (56u64, 10u64, 884u64, 210u64);
    let bottom = top.saturating_add(height);
    let count = u64::try_from(points.len()).unwrap_or(0).max(2);
    let x_of = |index: u64| {
        left.saturating_add(
            index
                .saturating_mul(width)
                .checked_div(count.saturating_sub(1))
                .unwrap_or(0),
        )
    };
    let (low, high, step) = axis_range(series.values().flatten().copied());
    let span = high.saturating_sub(low).max(1);
    let y_of = |bps: u64| {
        let above = bps.clamp(low, high).saturating_sub(low);
        bottom.saturating_sub(above.saturating_mul(height).checked_div(span).unwrap_or(0))
    };
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"availability over slots, {} to {}\" width=\"960\" height=\"262\" viewBox=\"0 0 960 262\" xmlns=\"http://www.w3.org/2000/svg\">\n",
        percent(low),
        percent(high),
    );
    let mut tick = low;
    while tick <= high {
        let y = y_of(tick);
        let _ = writeln!(
            svg,
            "<line x1=\"{left}\" x2=\"{right}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#dde1ea\"/>\
             <text x=\"{lx}\" y=\"{ty}\" font-size=\"11\" text-anchor=\"end\">{label}</text>",
            right = left.saturating_add(width),
            lx = left.saturating_sub(6),
            ty = y.saturating_add(4),
            label = percent(tick),
        );
        tick = tick.saturating_add(step.max(1));
    }
    let per_epoch = u64::from(summary.slots_per_epoch);
    for epoch in 1..summary.epochs {
        let x = x_of(epoch.saturating_mul(per_epoch));
        let _ = writeln!(
            svg,
            "<line x1=\"{x}\" x2=\"{x}\" y1=\"{top}\" y2=\"{bottom}\" stroke=\"#9aa3b5\" stroke-dasharray=\"4 4\"/>",
        );
    }
    // Epoch labels under the axis, centred on each epoch; at most about twelve of them.
    let every = summary.epochs.div_ceil(12).max(1);
    for epoch in (0..summary.epochs).step_by(usize::try_from(every).unwrap_or(1)) {
        let first = x_of(epoch.saturating_mul(per_epoch));
        let last = x_of(
            epoch
                .saturating_add(1)
                .saturating_mul(per_epoch)
                .saturating_sub(1),
        );
        let _ = writeln!(
            svg,
            "<text x=\"{x}\" y=\"{y}\" font-size=\"11\" text-anchor=\"middle\">epoch {epoch}</text>",
            x = first.saturating_add(last) / 2,
            y = bottom.saturating_add(16),
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{right}\" y=\"{y}\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6475\">{slots} slots of {per_epoch} per epoch</text>",
        right = left.saturating_add(width),
        y = bottom.saturating_add(32),
        slots = points.len(),
    );
    let outage = &summary.outage;
    if outage.end_slot > outage.first_slot {
        let (from, to) = (
            x_of(outage.first_slot),
            x_of(outage.end_slot.saturating_sub(1)),
        );
        let _ = writeln!(
            svg,
            "<rect x=\"{from}\" y=\"{top}\" width=\"{width}\" height=\"{height}\" fill=\"#f2c94c\" opacity=\"0.35\"><title>outage of {wallet}'s chips</title></rect>",
            width = to.saturating_sub(from).max(2),
            wallet = escape(&outage.wallet),
        );
    }
    if let Some(attack) = summary.attacks.first() {
        let x = x_of(
            attack
                .at
                .epoch
                .saturating_mul(per_epoch)
                .saturating_add(u64::from(attack.at.slot)),
        );
        let _ = writeln!(
            svg,
            "<line x1=\"{x}\" x2=\"{x}\" y1=\"{top}\" y2=\"{bottom}\" stroke=\"#b3261e\" stroke-width=\"2\"><title>attacks and sale: epoch {} slot {}</title></line>",
            attack.at.epoch, attack.at.slot,
        );
    }
    // One line per site, "all" on top; the legend in a row under the axis.
    let colours = [
        ("data center", "#3b6fd8"),
        ("home", "#d08a1e"),
        ("edge", "#8a55c9"),
        ("all", "#17803d"),
    ];
    for (position, (name, colour)) in colours.iter().enumerate() {
        let Some(values) = series.get(*name) else {
            continue;
        };
        let line: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(index, bps)| {
                format!("{},{}", x_of(u64::try_from(index).unwrap_or(0)), y_of(*bps))
            })
            .collect();
        let width = if *name == "all" { 3 } else { 1 };
        let legend_x =
            left.saturating_add(u64::try_from(position).unwrap_or(0).saturating_mul(120));
        let legend_y = bottom.saturating_add(32);
        let _ = writeln!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\" points=\"{points}\"><title>{name}</title></polyline>\
             <rect x=\"{legend_x}\" y=\"{ry}\" width=\"14\" height=\"4\" fill=\"{colour}\"/><text x=\"{tx}\" y=\"{legend_y}\" font-size=\"11\">{name}</text>",
            points = line.join(" "),
            ry = legend_y.saturating_sub(4),
            tx = legend_x.saturating_add(20),
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn model_table(summary: &RunSummary) -> String {
    let mut out = String::from(
        "<h2>Models</h2><table><tr><th>model</th><th>vendor</th><th>chips</th><th>rating (CU)</th><th>availability</th><th>rewards (tokens)</th><th>why nothing was earned</th></tr>\n",
    );
    let mut models: Vec<_> = summary.models.iter().collect();
    models.sort_by(|a, b| b.reward.cmp(&a.reward).then(a.model_id.cmp(&b.model_id)));
    for model in models {
        let _ = writeln!(
            out,
            "<tr><td title=\"{display}\">{id}</td><td>{vendor}</td><td>{chips}</td><td>{rating}</td><td>{availability}</td><td>{reward}</td><td class=\"muted\" style=\"text-align:left\">{reason}</td></tr>",
            display = escape(&model.display_name),
            id = escape(&model.model_id),
            vendor = escape(&model.vendor_id),
            chips = group_digits(model.chips),
            rating = cu(model.rating_milli_cu),
            availability = percent(model.availability_bps),
            reward = tokens(model.reward, 2),
            reason = escape(model.zero_reward_reason.as_deref().unwrap_or("")),
        );
    }
    out.push_str("</table>\n");
    out
}

fn evidence_table(summary: &RunSummary) -> String {
    let mut out = String::from(
        "<h2>Evidence kinds</h2><p class=\"muted\">How chips prove themselves: <code>poci</code> \
         messages (P-256) or an NVIDIA GPU's own SPDM measurement report (<code>nvidia-spdm</code>, \
         P-384, emulated GPUs under the testnet NVIDIA chain). Speeds are this machine's, per kind.</p>\
         <table><tr><th>evidence</th><th>chips</th><th>bindings</th><th>heartbeats</th><th>accepted</th>\
         <th>verified per second</th><th>signed per second</th></tr>\n",
    );
    for kind in &summary.evidence {
        let _ = writeln!(
            out,
            "<tr><td><code>{kind}</code></td><td>{chips}</td><td>{bindings}</td><td>{heartbeats}</td><td>{accepted}</td><td>{verified}</td><td>{signed}</td></tr>",
            kind = escape(&kind.kind),
            chips = group_digits(kind.chips),
            bindings = group_digits(kind.bindings_verified),
            heartbeats = group_digits(kind.heartbeats_verified),
            accepted = group_digits(kind.heartbeats_accepted),
            verified = group_digits(kind.verified_per_second),
            signed = group_digits(kind.signed_per_second),
        );
    }
    out.push_str("</table>\n");
    out
}

fn consensus_table(summary: &RunSummary) -> String {
    let rules = &summary.consensus;
    let mut out = String::from(
        "<h2>Consensus rules</h2><p class=\"muted\">Rules every node applies identically \
         (SPEC.md 18): proofs are accepted only within the grace after their slot; trust \
         material revised mid-run (a CRL, firmware floors) takes effect from its activation \
         epoch and reaches chips already bound; leases are held and settled by the ledger; \
         a sampled network beside the full one verifies one chip-slot in N.</p><table>\n",
    );
    let mut row = |name: &str, value: String| {
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(name),
            escape(&value)
        );
    };
    row("network policy digest", rules.policy_digest.clone());
    row("grace", format!("{} slot(s)", rules.grace_slots));
    row("revised trust material", rules.activation_line());
    if let Some(line) = rules.revoked_line() {
        row("revoked chip", line);
    }
    if let Some(line) = rules.lease_line() {
        row("lease of epoch 0", line);
    }
    row("sampled network", rules.sampled_line());
    out.push_str("</table>\n");
    out
}

fn attack_table(summary: &RunSummary) -> String {
    let mut out = String::from(
        "<h2>Attacks</h2><table><tr><th>attack</th><th>what it tried</th><th>expected</th><th>got</th><th>verdict</th></tr>\n",
    );
    for attack in &summary.attacks {
        let (class, word) = if attack.refused_as_expected() {
            ("ok", "refused")
        } else {
            ("bad", "FAILED")
        };
        let _ = writeln!(
            out,
            "<tr><td>{name}</td><td style=\"text-align:left\">{description}</td><td><code>{expected}</code></td><td><code>{got}</code></td><td class=\"{class}\">{word}</td></tr>",
            name = escape(attack.name),
            description = escape(attack.description),
            expected = escape(attack.expected),
            got = escape(&attack.got),
        );
    }
    out.push_str("</table>\n");
    out
}

fn refusal_table(summary: &RunSummary) -> String {
    let mut out = String::from(
        "<h2>Refusals and bindings</h2><table><tr><th>refusal code</th><th>count</th></tr>\n",
    );
    for (code, count) in &summary.refusals {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td></tr>",
            escape(code),
            group_digits(count)
        );
    }
    out.push_str("</table><table><tr><th>binding outcome</th><th>count</th></tr>\n");
    for (outcome, count) in &summary.binding_outcomes {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td></tr>",
            escape(outcome),
            group_digits(count)
        );
    }
    out.push_str("</table>\n");
    out
}

fn epoch_table(summary: &RunSummary) -> String {
    let mut out = String::from(
        "<h2>Epochs</h2><p class=\"muted\">Every chip of an epoch's report is counted once: \
         paid, below the availability threshold, or above it and paid nothing (rated 0).</p>\
         <table><tr><th>epoch</th><th>emission</th><th>miners' pool</th><th>paid to chips</th><th>unallocated</th><th>chips</th><th>chips paid</th><th>below threshold</th><th>paid nothing (rated 0)</th></tr>\n",
    );
    for epoch in &summary.epochs_paid {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            epoch.epoch,
            tokens(epoch.emission, 2),
            tokens(epoch.miners_pool, 2),
            tokens(epoch.paid, 2),
            tokens(epoch.unallocated, 2),
            group_digits(epoch.chips),
            group_digits(epoch.chips_paid),
            group_digits(epoch.chips_ineligible),
            group_digits(epoch.chips_unpaid_eligible),
        );
    }
    out.push_str("</table>\n");
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::arithmetic_side_effects)]
    use super::{axis_range, escape};

    #[test]
    fn the_availability_axis_fits_the_data() {
        let (low, high, step) = axis_range([8_300u64, 9_800, 9_100].into_iter());
        assert!((7_500..=8_300).contains(&low), "{low}");
        assert!((9_800..=10_000).contains(&high), "{high}");
        assert!((high - low) / step <= 6 && (high - low) % step == 0);
        assert_eq!(axis_range([10_000u64].into_iter()).1, 10_000);
        let (low, high, _) = axis_range([10_000u64, 10_000].into_iter());
        assert!(low < high);
        assert_eq!(axis_range(std::iter::empty()), (0, 10_000, 2_500));
        let (low, high, _) = axis_range([0u64, 10_000].into_iter());
        assert_eq!((low, high), (0, 10_000));
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
