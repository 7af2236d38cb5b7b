"""Benchmark: cohort matching at 100, 1,000 and 5,000 mentees.

For each size (mentors about a fifth of the mentees, capacity 1-5) it prints wall time and
peak memory of scoring + solving + explaining, and the total fit score of our optimal
assignment side by side with a greedy matcher and a random matcher on the same scores. On
instances of at most 300 mentees it also solves the same problem as a linear program with
scipy's HiGHS (the constraint matrix is totally unimodular, so the LP optimum is the integer
optimum) and checks that our total equals it.

With ``--peers N ...`` it times peer pairing instead (a "coffee chat" round of N peers, scored
the same way): our solver (rustworkx's compiled blossom) side by side with networkx's
pure-Python blossom on the same candidate graph (on sizes up to ``--networkx-max``), and the
total against greedy pairing.

Run: python -m bench.matching [--sizes 100 1000 5000] [--peers 500 2000 5000]
Each size runs in its own process so peak memory (max RSS) is per size.
"""

from __future__ import annotations

import argparse
import json
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


def cohort(n_mentees: int, seed: int = 1):
    from bot.matching.profiles import Candidate

    rng = np.random.default_rng(seed)
    n_mentors = max(1, n_mentees // 5)

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


def run_size(n: int) -> dict:
    from bot.config import MatchingSettings
    from bot.matching.explain import explain
    from bot.matching.profiles import week_start
    from bot.matching.scoring import Cohort, score_cohort
    from bot.matching.solver import greedy_assignment, random_assignment, solve_assignment
    from bot.prompts import Prompts

    settings = MatchingSettings()
    prompts = Prompts.load()
    mentees, mentors = cohort(n)
    capacity = np.asarray([m.capacity for m in mentors])
    t0 = time.perf_counter()
    scores = score_cohort(
        Cohort(mentees, mentors),
        settings,
        reference_week=week_start(datetime(2026, 11, 22, tzinfo=UTC)),
    )
    t1 = time.perf_counter()
    pairs = solve_assignment(scores.total, scores.feasible, capacity)
    t2 = time.perf_counter()
    for i, j in pairs:
        explain(
            mentees[i],
            mentors[j],
            peer=False,
            overlap_hours=float(scores.overlap_hours[i, j]),
            settings=settings,
            prompts=prompts,
        )
    t3 = time.perf_counter()

    def total(ps):
        return float(sum(scores.total[i, j] for i, j in ps))

    greedy = greedy_assignment(scores.total, scores.feasible, capacity)
    rand = random_assignment(scores.feasible, capacity, seed=1)
    result = {
        "mentees": n,
        "mentors": len(mentors),
        "places": int(capacity.sum()),
        "score_s": t1 - t0,
        "solve_s": t2 - t1,
        "explain_s": t3 - t2,
        "total_s": t3 - t0,
        "pairs": len(pairs),
        "ours": total(pairs),
        "greedy_pairs": len(greedy),
        "greedy": total(greedy),
        "random_pairs": len(rand),
        "random": total(rand),
    }
    if n <= 300:
        lp_pairs, lp_total = lp_optimum(scores.total, scores.feasible, capacity)
        result.update(lp_pairs=lp_pairs, lp=lp_total)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def run_peers(n: int, networkx_max: int) -> dict:
    from bot.config import MatchingSettings
    from bot.matching.profiles import week_start
    from bot.matching.scoring import Cohort, score_cohort
    from bot.matching.solver import WEIGHT_SCALE, peer_edges, solve_peers

    settings = MatchingSettings()
    mentees, mentors = cohort(n - n // 6)
    people = [replace_role(p, k) for k, p in enumerate((mentees + mentors)[:n])]  # everyone a peer
    t0 = time.perf_counter()
    scores = score_cohort(
        Cohort(people, people, peer=True),
        settings,
        reference_week=week_start(datetime(2026, 11, 22, tzinfo=UTC)),
    )
    t1 = time.perf_counter()
    groups = solve_peers(scores.total, scores.feasible, candidates=settings.peer_candidates)
    t2 = time.perf_counter()
    pairs = [g[:2] for g in groups]
    a, b, weight = peer_edges(scores.total, scores.feasible, candidates=settings.peer_candidates)
    ends = zip(a.tolist(), b.tolist(), strict=True)
    scaled = dict(zip(ends, np.rint(weight * WEIGHT_SCALE).astype(int).tolist(), strict=True))

    def total(ps) -> int:
        return sum(scaled[(min(x, y), max(x, y))] for x, y in ps)

    used: set[int] = set()
    greedy = []
    for k in np.argsort(-weight, kind="stable"):
        x, y = int(a[k]), int(b[k])
        if x not in used and y not in used:
            used |= {x, y}
            greedy.append((x, y))
    result = {
        "peers": n,
        "edges": len(a),
        "score_s": t1 - t0,
        "solve_s": t2 - t1,
        "pairs": len(pairs),
        "ours": total(pairs) / WEIGHT_SCALE,
        "greedy_pairs": len(greedy),
        "greedy": total(greedy) / WEIGHT_SCALE,
    }
    if n <= networkx_max:
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(range(n))
        graph.add_weighted_edges_from((x, y, w) for (x, y), w in scaled.items())
        t3 = time.perf_counter()
        reference = nx.max_weight_matching(graph, maxcardinality=True)
        result["networkx_s"] = time.perf_counter() - t3
        result["networkx_pairs"] = len(reference)
        result["networkx"] = total(reference) / WEIGHT_SCALE
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
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


def peers_table(sizes: list[int], networkx_max: int) -> None:
    print(
        f"{'peers':>6} {'edges':>8} {'score s':>8} {'solve s':>8} {'networkx s':>10} "
        f"{'speed-up':>8} {'peak MB':>8} {'pairs':>6} {'ours':>10} {'networkx':>10} "
        f"{'greedy':>10} {'ours/greedy':>11}"
    )
    for n in sizes:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.matching",
                "--one-peers",
                str(n),
                "--networkx-max",
                str(networkx_max),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        nx_s = f"{r['networkx_s']:>10.2f}" if "networkx_s" in r else f"{'-':>10}"
        speed = f"{r['networkx_s'] / r['solve_s']:>7.0f}x" if "networkx_s" in r else f"{'-':>8}"
        nx_total = f"{r['networkx']:>10.1f}" if "networkx" in r else f"{'-':>10}"
        print(
            f"{r['peers']:>6} {r['edges']:>8} {r['score_s']:>8.2f} {r['solve_s']:>8.2f} {nx_s} "
            f"{speed} {r['peak_rss_mb']:>8.0f} {r['pairs']:>6} {r['ours']:>10.1f} {nx_total} "
            f"{r['greedy']:>10.1f} {r['ours'] / max(r['greedy'], 1e-9):>11.3f}"
        )
        if "networkx" in r and (
            r["networkx_pairs"] != r["pairs"] or abs(r["networkx"] - r["ours"]) > 1e-9
        ):
            print("  !! differs from networkx")
        if r["pairs"] < r["greedy_pairs"] or (
            r["pairs"] == r["greedy_pairs"] and r["ours"] < r["greedy"]
        ):
            print("  !! below greedy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000, 5000])
    parser.add_argument("--peers", type=int, nargs="+", help="peer cohort sizes instead")
    parser.add_argument("--networkx-max", type=int, default=1000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--one-peers", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_size(args.one)))
        return
    if args.one_peers:
        print(json.dumps(run_peers(args.one_peers, args.networkx_max)))
        return
    if args.peers:
        peers_table(args.peers, args.networkx_max)
        return
    print(
        f"{'mentees':>7} {'mentors':>7} {'places':>6} {'score s':>8} {'solve s':>8} "
        f"{'total s':>8} {'peak MB':>8} {'pairs':>6} {'ours':>10} {'greedy':>10} "
        f"{'random':>10} {'ours/greedy':>11} {'ours/random':>11} {'LP optimum':>12}"
    )
    for n in args.sizes:
        out = subprocess.run(
            [sys.executable, "-m", "bench.matching", "--one", str(n)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        if "lp" in r:
            same = r["lp_pairs"] == r["pairs"] and abs(r["lp"] - r["ours"]) < 1e-6 * max(1, r["lp"])
            lp = f"{'equal' if same else 'DIFFERS'} ({r['lp']:.0f})"
        else:
            lp = "-"
        print(
            f"{r['mentees']:>7} {r['mentors']:>7} {r['places']:>6} {r['score_s']:>8.2f} "
            f"{r['solve_s']:>8.2f} {r['total_s']:>8.2f} {r['peak_rss_mb']:>8.0f} "
            f"{r['pairs']:>6} {r['ours']:>10.0f} {r['greedy']:>10.0f} {r['random']:>10.0f} "
            f"{r['ours'] / r['greedy']:>11.3f} {r['ours'] / max(r['random'], 1):>11.3f} {lp:>12}"
        )
        if r["pairs"] < r["greedy_pairs"] or (
            r["pairs"] == r["greedy_pairs"] and r["ours"] < r["greedy"] - 1e-6
        ):
            print("  !! below greedy")


if __name__ == "__main__":
    main()
