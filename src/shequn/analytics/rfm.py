"""RFM: recency, frequency and monetary value of paid orders, scored by quantiles.

Definitions (as of time ``T``; refunded and cancelled orders do not count):

* frequency = paid orders, monetary = their sum (in cents), recency = whole days
  since the last one.
* Each of R, F, M is scored among the buyers: a buyer's *rank* is the number of
  buyers strictly worse (older last order; fewer orders; less money), so ties
  share a rank; with ``n`` buyers the score is ``1 +`` the number of cuts ``c``
  with ``rank / n >= c``. Integer arithmetic (cuts in basis points) makes every
  engine agree to the last member.
* FM = floor((F + M) / 2); the segment is the settings' grid cell (R, FM).
* The average order value band compares monetary with ``edge * frequency``.
"""

from __future__ import annotations

from shequn.analytics.ibisapi import ibis, ir
from shequn.analytics.sources import DAY, Sources
from shequn.profiles.settings import RfmSettings


def order_totals(src: Sources, as_of: int) -> ir.Table:
    """Per buyer: orders, monetary_cents, last_order_ts (paid orders up to ``as_of``)."""
    paid = src.orders.filter((src.orders.status == "paid") & (src.orders.ts <= as_of))
    return paid.group_by("member_id").aggregate(
        orders=paid.count(), monetary_cents=paid.cents.sum(), last_order_ts=paid.ts.max(),
    )


def _score(rank: ir.IntegerValue, buyers: ir.IntegerValue, cuts_bp: tuple[int, ...]) -> ir.Value:
    total: ir.IntegerValue = ibis.literal(1)
    for cut in cuts_bp:
        total = total + ibis.cases((rank * 10_000 >= buyers * cut, 1), else_=0)
    return total.cast("int64")


def rfm_scores(src: Sources, as_of: int, settings: RfmSettings) -> ir.Table:
    """Per buyer: orders, monetary_cents, recency_days, r/f/m scores, segment, aov band."""
    totals = order_totals(src, as_of)
    totals = totals.mutate(recency_days=((as_of - totals.last_order_ts) // DAY).cast("int64"))
    whole = ibis.window()
    ranked = totals.mutate(
        buyers=totals.count().over(whole),
        r_rank=ibis.rank().over(order_by=ibis.desc(totals.recency_days)),
        f_rank=ibis.rank().over(order_by=totals.orders),
        m_rank=ibis.rank().over(order_by=totals.monetary_cents),
    )
    cuts = settings.cut_basis_points()
    scored = ranked.mutate(
        r_score=_score(ranked.r_rank, ranked.buyers, cuts),
        f_score=_score(ranked.f_rank, ranked.buyers, cuts),
        m_score=_score(ranked.m_rank, ranked.buyers, cuts),
    )
    top = settings.top_score
    fm_sum = scored.f_score + scored.m_score
    fm = ibis.cases(*((fm_sum == total, total // 2) for total in range(2, 2 * top + 1)))
    keyed = scored.mutate(cell=scored.r_score * 10 + fm)
    segment = ibis.cases(*(
        (keyed.cell == r * 10 + f, settings.segment(r, f))
        for r in range(1, top + 1) for f in range(1, top + 1)
    ))
    edges = list(zip(settings.aov_bands, settings.aov_names[1:], strict=True))
    band = ibis.cases(
        *((keyed.monetary_cents >= round(edge * 100) * keyed.orders, name)
          for edge, name in reversed(edges)),
        else_=settings.aov_names[0],
    )
    return keyed.select(
        "member_id", "orders", "monetary_cents", "last_order_ts", "recency_days",
        "r_score", "f_score", "m_score", rfm_segment=segment, aov_band=band,
    )
