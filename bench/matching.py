"""Benchmark: cohort matching from 100 to 40,000 mentees, and peer pairing up to 20,000.

Mentoring (``--sizes``; ``N`` means N mentees and N/5 mentors, ``N:M`` sets the mentors;
capacity 1-5): wall time and peak memory of the bot's matcher (``bot.matching.cohort``:
block scoring, the candidate graph, min-cost flow, pricing every other pair against the
duals) and of explaining every pair. Then, outside the timing, an independent check of the
certificate over every pair of the cohort (dual values non-negative, ``left[i] + right[j]``
at least each allowed pair's value, and the dual objective equal to the total), and side by
side: the dense solver the bot used before (every pair in memory, scipy's
``linear_sum_assignment`` on mentors expanded into slots) on sizes up to ``--dense-max``, a
greedy matcher and a random one. On at most 300 mentees it also solves the same problem as a
linear program with scipy's HiGHS and checks our total equals it.

Peers (``--peers``): a "coffee chat" round of N peers scored the same way, each pair once
(``candidates.collect_peers``): the bot's pairing (rustworkx's compiled blossom; above 200
peers on the double cover's pairs plus each person's best few) against the upper bound for
any pairing of the whole cohort it computes on the way (the duals of the bipartite double
cover's best assignment on the candidate graph, raised to cover every other pair:
``candidates.peer_bound``), greedy pairing on all candidate pairs, and networkx's
pure-Python blossom on all candidate pairs up to ``--networkx-max`` (the same graph as ours
up to 200 peers). "cpu s" is the matcher's CPU time (a busy machine inflates wall time).

``--waiting SHARE`` marks that share of the mentees as waiting from an earlier round (placed
first: the most pairs, then the most waiting placed, then the best fit); the table then shows
how many were placed, and the dense, greedy, random and LP columns (which know nothing of
waiting) are for scale only.

``--baseline CHECKOUT`` runs each size first on another checkout's code (its bot and this
benchmark, e.g. the main branch) and then on this one's, one after the other, rows labelled.

Run: python -m bench.matching [--sizes 100 1000 5000 40000:10000] [--peers 500 5000 20000]
Each size runs in its own process so peak memory (max RSS) is per size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime

import numpy as np

SKILLS = [
    "python",
    "javascript",
    "go",
    "rust",
    "sql",
    "data analysis",
    "machine learning",
    "devops",
    "kubernetes",
    "security",
    "product management",
    "ux design",
    "public speaking",
    "leadership",
    "career growth",
    "negotiation",
    "writing",
    "testing",
    "system design",
    "frontend",
    "backend",
    "mobile",
    "cloud",
    "networking",
    "statistics",
    "hiring",
    "management",
    "open source",
    "accessibility",
    "databases",
]
ZONES = [
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Africa/Lagos",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
]
LANGS = ["English", "Spanish", "Portuguese", "German", "Hindi", "Japanese"]
WEEK_OF = datetime(2026, 11, 22, tzinfo=UTC)


def cohort(n_mentees: int, seed: int = 1, n_mentors: int | None = None):
    from bot.matching.profiles import Candidate

    rng = np.random.default_rng(seed)
    n_mentors = n_mentors or max(1, n_mentees // 5)

    def person(k: int, role: str) -> Candidate:
        langs = ["English"] if rng.random() < 0.8 else []
        if rng.random() < 0.35:
            langs.append(str(rng.choice(LANGS[1:])))
        start = int(rng.integers(7, 12))
        return Candidate(
            member_id=k,
            person_id=k,
            name=f"{role}{k}",
            role=role,
            platform_user_id=f"u{k}",
            timezone=str(rng.choice(ZONES)),
            skills_offered=list(rng.choice(SKILLS, size=int(rng.integers(2, 6)), replace=False))
            if role == "mentor"
            else [],
            skills_wanted=list(rng.choice(SKILLS, size=int(rng.integers(1, 4)), replace=False))
            if role == "mentee"
            else [],
            goals=" ".join(rng.choice(SKILLS, size=2)) + " at work",
            languages=langs,
            availability=[
                {
                    "days": [0, 1, 2, 3, 4],
                    "start": f"{start:02d}:00",
                    "end": f"{start + int(rng.integers(3, 9)):02d}:00",
                }
            ],
            team=f"team{int(rng.integers(0, 20))}",
            seniority=int(rng.integers(0, 10)),
            capacity=int(rng.integers(1, 6)) if role == "mentor" else 1,
        )

    mentees = [person(k, "mentee") for k in range(n_mentees)]
    mentors = [person(n_mentees + k, "mentor") for k in range(n_mentors)]
    return mentees, mentors


def lp_optimum(
    objective: np.ndarray, feasible: np.ndarray, capacity: np.ndarray
) -> tuple[int, float]:
    """(pairs, total score) of the optimum found by an independent LP solver (HiGHS)."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, vstack

    rows, cols = np.nonzero(feasible)
    k = len(rows)
    bonus = float(np.abs(objective).max(initial=0)) * min(objective.shape[0], capacity.sum()) + 1
    c = -(objective[rows, cols] + bonus)
    a_left = coo_matrix((np.ones(k), (rows, np.arange(k))), shape=(objective.shape[0], k))
    a_right = coo_matrix((np.ones(k), (cols, np.arange(k))), shape=(objective.shape[1], k))
    b = np.concatenate([np.ones(objective.shape[0]), capacity])
    res = linprog(c, A_ub=vstack([a_left, a_right]).tocsr(), b_ub=b, bounds=(0, 1), method="highs")
    x = np.round(res.x).astype(bool)
    return int(x.sum()), float(objective[rows[x], cols[x]].sum())


def check_certificate(matched, capacity: np.ndarray) -> bool:
    """Every pair of the cohort, independently of the pricing: the duals are feasible and
    their objective equals the solution's value, so no assignment is worth more."""
    proof, scorer, graph = matched.proof, matched.scorer, matched.graph
    rows = proof.row_duals() if hasattr(proof, "row_duals") else proof.left
    if (rows < 0).any() or (proof.right < 0).any():
        return False
    if proof.dual_value(capacity) != proof.value:
        return False
    for block in scorer.blocks():
        allowed = block.base_ok & ~graph.ruled_out(block.rows)
        value = proof.bonus + scorer.units(block).astype(np.float64)
        slack = proof.left[block.rows, None] + proof.right[None, :] - value
        if (slack[allowed] < 0).any():
            return False
    return True


def run_size(
    n: int, n_mentors: int | None = None, dense_max: int = 5000, waiting: float = 0.0
) -> dict:
    from bot.config import MatchingSettings
    from bot.matching.cohort import match_cohort
    from bot.matching.explain import explain
    from bot.matching.profiles import week_start
    from bot.matching.reasons import render_reasons
    from bot.matching.scoring import SCORE_UNITS, Cohort

    settings = MatchingSettings()
    prompts = _prompts()
    mentees, mentors = cohort(n, n_mentors=n_mentors)
    if waiting:
        from dataclasses import replace

        marked = np.random.default_rng(2).random(len(mentees)) < waiting
        mentees = [replace(c, priority=int(w)) for c, w in zip(mentees, marked, strict=True)]
    capacity = np.asarray([m.capacity for m in mentors])
    phases: list[tuple[float, str]] = []
    cpu = time.process_time()
    t0 = time.perf_counter()
    matched = match_cohort(
        Cohort(mentees, mentors),
        settings,
        reference_week=week_start(WEEK_OF),
        capacity=capacity,
        progress=lambda msg, _done: phases.append((time.perf_counter(), msg)),
    )
    t1 = time.perf_counter()
    rows = np.asarray([g[0] for g in matched.groups], np.int64)
    cols = np.asarray([g[1] for g in matched.groups], np.int64)
    hours = matched.scorer.hours(rows, cols)
    for (i, j), h in zip(matched.groups, hours.tolist(), strict=True):
        reasons = explain(mentees[i], mentors[j], peer=False, overlap_hours=h, settings=settings)
        render_reasons(prompts, reasons)
    t2 = time.perf_counter()
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    scored = next((t for t, msg in phases if msg.startswith("solving")), t1)
    result = {
        "mentees": n,
        "mentors": len(mentors),
        "places": int(capacity.sum()),
        "score_s": scored - t0,
        "solve_s": t1 - scored,
        "total_s": t2 - t0,
        "cpu_s": cpu,
        "peak_rss_mb": peak,
        "edges": len(matched.graph.rows),
        "rounds": matched.rounds,
        "pairs": len(matched.groups),
        "ours": matched.units / SCORE_UNITS / 100,
        "waiting": sum(1 for c in mentees if c.priority > 0),
        "placed": sum(1 for g in matched.groups if mentees[g[0]].priority > 0),
    }
    t3 = time.perf_counter()
    result["certified"] = check_certificate(matched, capacity)
    result["check_s"] = time.perf_counter() - t3
    result.update(_baselines(matched, mentees, mentors, capacity, dense_max))
    return result


def _baselines(matched, mentees, mentors, capacity: np.ndarray, dense_max: int) -> dict:
    """The dense solver, greedy and random on the same values (units), where they fit."""
    from bot.matching.scoring import SCORE_UNITS
    from bot.matching.solver import greedy_assignment, random_assignment, solve_assignment

    scorer, graph = matched.scorer, matched.graph
    out: dict = {}

    def points(units: int) -> float:
        return units / SCORE_UNITS / 100

    if len(mentees) > dense_max:
        # Greedy on the candidate graph: the best remaining pair until nothing fits.
        remaining, used, total, pairs = capacity.copy(), set(), 0, 0
        for k in np.argsort(-graph.units, kind="stable"):
            i, j = int(graph.rows[k]), int(graph.cols[k])
            if i not in used and remaining[j] > 0:
                used.add(i)
                remaining[j] -= 1
                total += int(graph.units[k])
                pairs += 1
        out.update(greedy_pairs=pairs, greedy=points(total), greedy_on="graph")
        return out
    units = np.concatenate([scorer.units(b) for b in scorer.blocks()]).astype(np.float64)
    allowed = np.concatenate([b.base_ok & ~graph.ruled_out(b.rows) for b in scorer.blocks()])
    t = time.perf_counter()
    dense = solve_assignment(units, allowed, capacity)
    out["dense_s"] = time.perf_counter() - t
    out["dense_pairs"] = len(dense)
    out["dense"] = points(int(sum(units[i, j] for i, j in dense)))
    greedy = greedy_assignment(units, allowed, capacity)
    out.update(greedy_pairs=len(greedy), greedy=points(int(sum(units[i, j] for i, j in greedy))))
    rand = random_assignment(allowed, capacity, seed=1)
    out.update(random_pairs=len(rand), random=points(int(sum(units[i, j] for i, j in rand))))
    if len(mentees) <= 300:
        lp_pairs, lp_total = lp_optimum(units, allowed, capacity)
        out.update(lp_pairs=lp_pairs, lp=points(round(lp_total)))
    return out


def _prompts():
    from bot.app import load_prompts

    return load_prompts()


def run_peers(n: int, networkx_max: int) -> dict:
    from bot.config import MatchingSettings
    from bot.matching.cohort import match_cohort
    from bot.matching.profiles import week_start
    from bot.matching.scoring import SCORE_UNITS, Cohort

    settings = MatchingSettings()
    mentees, mentors = cohort(n - n // 6)
    people = [replace_role(p, k) for k, p in enumerate((mentees + mentors)[:n])]  # everyone a peer
    phases: list[tuple[float, str]] = []
    cpu = time.process_time()
    t0 = time.perf_counter()
    matched = match_cohort(
        Cohort(people, people, peer=True),
        settings,
        reference_week=week_start(WEEK_OF),
        progress=lambda msg, _done: phases.append((time.perf_counter(), msg)),
    )
    t3 = time.perf_counter()
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the baselines
    t2 = next(t for t, msg in phases if msg.startswith("pairing"))
    t1 = next((t for t, msg in phases if msg.startswith("bounding")), t2)
    assert matched.edges is not None
    pairs = [g[:2] for g in matched.groups]
    graph = matched.graph
    keep = graph.rows < graph.cols  # every candidate pair (greedy and networkx see them all)
    a, b, units = (x[keep].tolist() for x in (graph.rows, graph.cols, graph.units))
    weights = {(x, y): w for x, y, w in zip(a, b, units, strict=True)}

    def total(ps) -> int:
        return sum(weights[(min(x, y), max(x, y))] for x, y in ps)

    used: set[int] = set()
    greedy = []
    for (x, y), _w in sorted(weights.items(), key=lambda item: -item[1]):
        if x not in used and y not in used:
            used |= {x, y}
            greedy.append((x, y))
    scale = SCORE_UNITS * 100
    result = {
        "peers": n,
        "edges": len(weights),
        "score_s": t1 - t0,
        "bound_s": t2 - t1,
        "solve_s": t3 - t2,
        "cpu_s": cpu,
        "blossom_edges": len(matched.edges[0]),
        "pairs": len(pairs),
        "ours": total(pairs) / scale,
        "bound": (matched.bound or 0) / scale,
        "greedy_pairs": len(greedy),
        "greedy": total(greedy) / scale,
        "peak_rss_mb": peak,
    }
    if n <= networkx_max:
        import networkx as nx

        nx_graph = nx.Graph()
        nx_graph.add_nodes_from(range(n))
        nx_graph.add_weighted_edges_from((x, y, w) for (x, y), w in weights.items())
        t4 = time.perf_counter()
        reference = nx.max_weight_matching(nx_graph, maxcardinality=True)
        result["networkx_s"] = time.perf_counter() - t4
        result["networkx_pairs"] = len(reference)
        result["networkx"] = total(reference) / scale
    return result


def replace_role(person, k: int):
    """``person`` as a peer who also offers what they know (peers teach each other)."""
    from dataclasses import replace

    return replace(
        person,
        member_id=k,
        person_id=k,
        role="peer",
        skills_offered=person.skills_offered or person.skills_wanted,
        capacity=1,
    )


def _one(args: list[str], code: str | None = None) -> dict:
    """One size in a process of its own; ``code``: another checkout's bot and bench."""
    env = dict(os.environ, PYTHONPATH=code) if code else None
    out = subprocess.run(
        [sys.executable, "-m", "bench.matching", *args],
        capture_output=True,
        text=True,
        cwd=code,
        env=env,
    )
    if out.returncode:
        sys.stderr.write(out.stderr)
        raise SystemExit(out.returncode)
    return json.loads(out.stdout.strip().splitlines()[-1])


def peers_table(sizes: list[int], networkx_max: int, baseline: str | None = None) -> None:
    print(
        f"{'peers':>6} {'edges':>8} {'blossom':>8} {'score s':>8} {'bound s':>8} {'solve s':>8} "
        f"{'total s':>8} {'cpu s':>7} {'peak MB':>8} {'pairs':>6} {'ours':>10} {'bound':>10} "
        f"{'ours/bound':>10} {'greedy':>10} {'ours/greedy':>11} {'networkx s':>10} "
        f"{'networkx':>10}"
    )
    runs: list[tuple[int, str | None]] = [(n, None) for n in sizes]
    if baseline:  # each size on the baseline's code first, then on this checkout's
        runs = [run for n in sizes for run in ((n, baseline), (n, None))]
    for n, code in runs:
        r = _one(["--one-peers", str(n), "--networkx-max", str(networkx_max)], code)
        if baseline:
            print(f"{'baseline' if code else 'this'}:")
        nx_s = f"{r['networkx_s']:>10.2f}" if "networkx_s" in r else f"{'-':>10}"
        nx_total = f"{r['networkx']:>10.1f}" if "networkx" in r else f"{'-':>10}"
        ratio = f"{r['ours'] / r['bound']:>10.4f}" if r["bound"] else f"{'exact':>10}"
        bound = f"{r['bound']:>10.1f}" if r["bound"] else f"{'-':>10}"
        total_s = r["score_s"] + r["bound_s"] + r["solve_s"]
        print(
            f"{r['peers']:>6} {r['edges']:>8} {r['blossom_edges']:>8} {r['score_s']:>8.2f} "
            f"{r['bound_s']:>8.2f} {r['solve_s']:>8.2f} {total_s:>8.2f} {_cpu(r)} "
            f"{r['peak_rss_mb']:>8.0f} "
            f"{r['pairs']:>6} {r['ours']:>10.1f} {bound} {ratio} {r['greedy']:>10.1f} "
            f"{r['ours'] / max(r['greedy'], 1e-9):>11.3f} {nx_s} {nx_total}"
        )
        exact = r["blossom_edges"] == r["edges"]  # then networkx saw the same graph
        if (
            exact
            and "networkx" in r
            and (r["networkx_pairs"] != r["pairs"] or abs(r["networkx"] - r["ours"]) > 1e-9)
        ):
            print("  !! differs from networkx")
        if r["pairs"] < r["greedy_pairs"] or (
            r["pairs"] == r["greedy_pairs"] and r["ours"] < r["greedy"]
        ):
            print("  !! below greedy")


def mentoring_table(
    sizes: list[str], dense_max: int, waiting: float = 0.0, baseline: str | None = None
) -> None:
    print(
        f"{'mentees':>7} {'mentors':>7} {'places':>6} {'score s':>8} {'solve s':>8} "
        f"{'total s':>8} {'cpu s':>7} {'peak MB':>8} {'edges':>8} {'rounds':>6} {'pairs':>6} "
        f"{'ours':>10} "
        f"{'proof':>6} {'dense':>10} {'dense s':>8} {'greedy':>10} {'random':>10} "
        f"{'LP optimum':>10}"
    )
    runs: list[tuple[str, str | None]] = [(size, None) for size in sizes]
    if baseline:  # each size on the baseline's code first, then on this checkout's
        runs = [run for size in sizes for run in ((size, baseline), (size, None))]
    for size, code in runs:
        args = ["--one", size, "--dense-max", str(dense_max), "--waiting", str(waiting)]
        r = _one(args, code)
        if baseline:
            print(f"{'baseline' if code else 'this'}:")
        if "lp" in r:
            same = r["lp_pairs"] == r["pairs"] and abs(r["lp"] - r["ours"]) < 1e-6 * max(1, r["lp"])
            lp = "equal" if same else ("other" if r.get("waiting") else "DIFFERS")
        else:
            lp = "-"
        dense = f"{r['dense']:>10.1f}" if "dense" in r else f"{'-':>10}"
        dense_s = f"{r['dense_s']:>8.2f}" if "dense_s" in r else f"{'-':>8}"
        rand = f"{r['random']:>10.1f}" if "random" in r else f"{'-':>10}"
        print(
            f"{r['mentees']:>7} {r['mentors']:>7} {r['places']:>6} {r['score_s']:>8.2f} "
            f"{r['solve_s']:>8.2f} {r['total_s']:>8.2f} {_cpu(r)} {r['peak_rss_mb']:>8.0f} "
            f"{r['edges']:>8} {r['rounds']:>6} {r['pairs']:>6} {r['ours']:>10.1f} "
            f"{'valid' if r['certified'] else 'FAILED':>6} {dense} {dense_s} "
            f"{r['greedy']:>10.1f} {rand} {lp:>10}"
        )
        _warnings(r)
        print(f"  certificate checked over every pair in {r['check_s']:.1f} s")
        if r.get("waiting"):
            print(f"  waiting placed first: {r['placed']} of {r['waiting']}")


def _cpu(r: dict) -> str:
    """The matcher's CPU seconds (a baseline's older benchmark may not report them): on a
    busy machine wall time waits for other jobs, CPU time much less so.
    """
    return f"{r['cpu_s']:>7.2f}" if "cpu_s" in r else f"{'-':>7}"


def _warnings(r: dict) -> None:
    """Where the bot's matching is beaten by a baseline that solves the same problem (with
    people waiting, the baselines solve another one: they may place fewer of them).
    """
    if r.get("waiting"):
        if r["pairs"] < r.get("greedy_pairs", 0):
            print("  !! fewer pairs than greedy")
        return
    if "dense" in r and (r["dense_pairs"] != r["pairs"] or abs(r["dense"] - r["ours"]) > 1e-6):
        print("  !! differs from the dense solver")
    if r["pairs"] < r["greedy_pairs"] or (
        r["pairs"] == r["greedy_pairs"] and r["ours"] < r["greedy"] - 1e-6
    ):
        print("  !! below greedy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["100", "300", "1000", "5000"])
    parser.add_argument("--peers", type=int, nargs="+", help="peer cohort sizes instead")
    parser.add_argument("--networkx-max", type=int, default=1000)
    parser.add_argument("--dense-max", type=int, default=5000)
    parser.add_argument("--waiting", type=float, default=0.0, help="share of mentees waiting")
    parser.add_argument(
        "--baseline",
        metavar="CHECKOUT",
        help="also run each size on another checkout's code (e.g. main's), just before",
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--one-peers", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        mentees, _, mentors = args.one.partition(":")
        sizes = (int(mentees), int(mentors) if mentors else None)
        print(json.dumps(run_size(*sizes, args.dense_max, args.waiting)))
        return
    if args.one_peers:
        print(json.dumps(run_peers(args.one_peers, args.networkx_max)))
        return
    if args.peers:
        peers_table(args.peers, args.networkx_max, args.baseline)
        return
    mentoring_table(args.sizes, args.dense_max, args.waiting, args.baseline)


if __name__ == "__main__":
    main()
