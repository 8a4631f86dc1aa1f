"""Turn latency and throughput of the bot over HTTP, through the local connector.

Two figures (see ../shared/notes/turn-overhead.md):
1. saturation: N conversations at once, each sending messages back to back (closed loop):
   turns/s, server CPU per turn, p50/p95/p99;
2. latency at a fixed arrival rate (open loop, default 100 turns/s for 30 s): p50/p95/p99.
The turns are greeting/help turns ("hei", "hjelp"): routed, with the store, answered with a card.

    .venv/bin/python bench/turns.py [--conversations 50] [--messages 20] [--rate 100] [--duration 30]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentile, running_server  # noqa: E402
from bot.local_client import LocalChannel, LocalUser  # noqa: E402
from bot.local_connector import LocalConnector, start_local_connector  # noqa: E402

TEXTS = ("hei", "hjelp")


async def one_turn(channel: LocalChannel, user: LocalUser, text: str, latencies: list[float]) -> None:
    started = time.perf_counter()
    result = await channel.post(channel.activity(user, "message", text=text))
    if result.status != 200:
        raise RuntimeError(f"HTTP {result.status}: {result.body}")
    latencies.append((time.perf_counter() - started) * 1000)


async def saturation(channel: LocalChannel, users: list[LocalUser], messages: int) -> list[float]:
    latencies: list[float] = []

    async def conversation(user: LocalUser) -> None:
        for number in range(messages):
            await one_turn(channel, user, TEXTS[number % 2], latencies)

    await asyncio.gather(*(conversation(user) for user in users))
    return latencies


async def open_loop(channel: LocalChannel, users: list[LocalUser], rate: float, duration: float) -> list[float]:
    latencies: list[float] = []
    tasks = []
    started = time.perf_counter()
    for number in itertools.count():
        due = started + number / rate
        if due - started >= duration:
            break
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one_turn(channel, users[number % len(users)], TEXTS[number % 2], latencies)))
    await asyncio.gather(*tasks)
    return latencies


def report(title: str, latencies: list[float]) -> None:
    print(f"{title}: turns={len(latencies)} p50={percentile(latencies, .5):.1f} ms "
          f"p95={percentile(latencies, .95):.1f} ms p99={percentile(latencies, .99):.1f} ms")


async def main(args: argparse.Namespace) -> None:
    connector = LocalConnector()
    runner, service_url = await start_local_connector(connector)
    users = [LocalUser.create(f"Bruker {n}", f"bruker{n}@molde.kommune.no") for n in range(args.conversations)]
    with running_server() as (base, process):
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            channel = LocalChannel(f"{base}/api/messages", connector, service_url, session)
            for user in users:
                channel.join(user)
            await saturation(channel, users, 2)  # warm-up: user look-ups, caches, connections
            cpu_before = sum(process.cpu_times()[:2])
            wall = time.perf_counter()
            latencies = await saturation(channel, users, args.messages)
            wall = time.perf_counter() - wall
            cpu = sum(process.cpu_times()[:2]) - cpu_before
            rss_peak = process.memory_info().rss
            print(f"saturation ({args.conversations} conversations x {args.messages} messages, closed loop): "
                  f"{len(latencies) / wall:.0f} turns/s, server CPU {cpu / len(latencies) * 1000:.2f} ms/turn")
            report("  latency", latencies)
            latencies = await open_loop(channel, users, args.rate, args.duration)
            rss_peak = max(rss_peak, process.memory_info().rss)
            report(f"open loop ({args.rate:.0f} turns/s for {args.duration:.0f} s)", latencies)
            print(f"server RSS: {rss_peak / 2**20:.0f} MB")
    await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--duration", type=float, default=30.0)
    asyncio.run(main(parser.parse_args()))
