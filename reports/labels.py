"""The words of the reports in English and Malay (``--lang en|ms``)."""

from __future__ import annotations

LANGS = ("en", "ms")

_TEXT: dict[str, tuple[str, str]] = {
    # report titles
    "annual": ("Annual Review Report {year}", "Laporan Kajian Semula Tahunan {year}"),
    "final": ("Final Evaluation Report {first}–{last}", "Laporan Penilaian Akhir {first}–{last}"),
    "committee": ("Progress of the {committee} {years}", "Kemajuan {committee} {years}"),
    "subtitle": ("National Action Plan on Anti-Trafficking in Persons ({plan}) · "
                 "Monitoring and Evaluation Committee · as of {as_of}",
                 "Pelan Tindakan Kebangsaan Anti Pemerdagangan Orang ({plan}) · "
                 "Jawatankuasa Pemantauan dan Penilaian · pada {as_of}"),
    "closed": (" · the plan is closed since {since}", " · pelan ditutup sejak {since}"),
    # sections
    "summary": ("Summary", "Ringkasan"),
    "pillars": ("Progress by pillar and goal", "Kemajuan mengikut teras dan matlamat"),
    "committees": ("Progress by committee", "Kemajuan mengikut jawatankuasa"),
    "trend": ("Timeline and trend {span}", "Garis masa dan trend {span}"),
    "overdue": ("Activities overdue", "Aktiviti tertunggak"),
    "indicators": ("Indicators: actuals against targets",
                   "Petunjuk: pencapaian berbanding sasaran"),
    "people": ("People counted, disaggregated", "Bilangan orang, terpecah"),
    "outputs": ("Outputs: are they met?", "Output: adakah ia dicapai?"),
    "narrative": ("Committees' narrative: gaps, challenges and adjustments",
                  "Naratif jawatankuasa: jurang, cabaran dan pelarasan"),
    "changes": ("Changes to the schedule", "Perubahan jadual"),
    "annex": ("Annex: evidence", "Lampiran: bukti"),
    # statuses
    "overdue_s": ("overdue", "tertunggak"),
    "due": ("due", "perlu dihantar"),
    "on-track": ("on track", "mengikut landasan"),
    "not-started": ("not started", "belum bermula"),
    "nil-return": ("on demand, nil return", "atas keperluan, pulangan nil"),
    "done": ("done", "selesai"),
    "not-applicable": ("not applicable this year", "tidak berkenaan tahun ini"),
    # columns and words
    "applicable": ("activity-years", "aktiviti-tahun"),
    "percent_done": ("% done", "% selesai"),
    "committee_c": ("committee", "jawatankuasa"),
    "pillar": ("pillar", "teras"),
    "goal": ("goal", "matlamat"),
    "objective": ("objective", "objektif"),
    "year": ("year", "tahun"),
    "activity": ("activity", "aktiviti"),
    "occurrence": ("occurrence", "kejadian"),
    "title": ("title", "tajuk"),
    "owner": ("owner", "pemilik"),
    "due_c": ("due", "tarikh akhir"),
    "indicator": ("indicator", "petunjuk"),
    "kind": ("kind", "jenis"),
    "target": ("target", "sasaran"),
    "target_value": ("target value", "nilai sasaran"),
    "actual": ("actual", "pencapaian"),
    "met": ("met", "dicapai"),
    "evidence": ("evidence", "bukti"),
    "dimension": ("dimension", "dimensi"),
    "category": ("category", "kategori"),
    "people_n": ("people", "orang"),
    "people_note": ("People are counted per indicator, never added up across indicators: "
                    "{n} indicators that count people have accepted figures by sex, "
                    "nationality or age.",
                    "Bilangan orang dikira bagi setiap petunjuk, tidak dijumlahkan merentas "
                    "petunjuk: {n} petunjuk yang mengira orang mempunyai angka diterima "
                    "mengikut jantina, warganegara atau umur."),
    "review_by_committee": ("Evidence by review status", "Bukti mengikut status semakan"),
    "awaiting": ("awaiting review", "menunggu semakan"),
    "returned": ("returned", "dikembalikan"),
    "overdue_note": ("{n} occurrences are overdue, in {lines} lines: a recurring duty's "
                     "meetings and their steps are one line, with the oldest's days overdue.",
                     "{n} kejadian tertunggak, dalam {lines} baris: mesyuarat dan langkah "
                     "sesuatu tugas berulang ialah satu baris, dengan bilangan hari "
                     "tertunggak yang paling lama."),
    "overdue_of": ("{committee}: {n} overdue", "{committee}: {n} tertunggak"),
    "what": ("what", "perkara"),
    "overdue_n": ("overdue", "tertunggak"),
    "days_overdue": ("days overdue", "hari tertunggak"),
    "summary_counts": ("Summary counts", "Kiraan ringkasan"),
    "statuses_sheet": ("Activity-year statuses", "Status aktiviti-tahun"),
    "figure": ("figure", "angka"),
    "value": ("value", "nilai"),
    "done_total": ("done, nil returns included", "selesai, termasuk pulangan nil"),
    "overdue_occ": ("occurrences overdue", "kejadian tertunggak"),
    "activity_text": ("activity text", "teks aktiviti"),
    "group_progress-report": ("Progress reports {year}", "Laporan kemajuan {year}"),
    "group_nil-return": ("Returns {year} (on demand)", "Pulangan {year} (atas keperluan)"),
    "ev_accepted": ("accepted", "diterima"),
    "ev_submitted": ("awaiting review", "menunggu semakan"),
    "ev_returned": ("returned", "dikembalikan"),
    "nil": ("nil", "nil"),
    "cat_female": ("female", "perempuan"),
    "cat_male": ("male", "lelaki"),
    "cat_unknown": ("unknown", "tidak diketahui"),
    "cat_child": ("child", "kanak-kanak"),
    "cat_adult": ("adult", "dewasa"),
    "kind_count": ("count", "bilangan"),
    "kind_amount": ("amount (MYR)", "jumlah (RM)"),
    "kind_percentage": ("percentage", "peratusan"),
    "kind_milestone": ("milestone", "pencapaian penting"),
    "kind_deliverable": ("deliverable", "hasil serahan"),
    "kind_narrative": ("narrative", "naratif"),
    "axis_activity_years": ("activity-years", "aktiviti-tahun"),
    "axis_indicator": ("indicator (activity #)", "petunjuk (aktiviti #)"),
    "axis_value": ("target and actual", "sasaran dan pencapaian"),
    "outputs_note": ("An output is met when every one of its indicators with a numeric "
                     "target meets it in the report's years (a target for each year: in "
                     "every year); outputs with no numeric target are not judged. The plan "
                     "gives no baselines for its indicators, so none is shown.",
                     "Sesuatu output dicapai apabila setiap petunjuknya yang mempunyai "
                     "sasaran berangka mencapainya dalam tahun laporan (sasaran setiap "
                     "tahun: dalam setiap tahun); output tanpa sasaran berangka tidak "
                     "dinilai. Pelan tidak memberi nilai asas bagi petunjuknya."),
    "outputs_met": ("{met} of the {judged} outputs with a numeric target are met "
                    "({total} outputs in all).",
                    "{met} daripada {judged} output yang mempunyai sasaran berangka dicapai "
                    "({total} output kesemuanya)."),
    "outputs_table": ("Outputs", "Output"),
    "outputs_years": ("Indicators by output, year by year",
                      "Petunjuk mengikut output, tahun demi tahun"),
    "output": ("output", "output"),
    "output_text": ("expected output", "output dijangka"),
    "activities_n": ("activities", "aktiviti"),
    "targets_met": ("targets met", "sasaran dicapai"),
    "n_of_m": ("{n} of {m}", "{n} daripada {m}"),
    "each_year": ("each year", "setiap tahun"),
    "narrative_of": ("{committee} (entered {day} by {who})",
                     "{committee} (dimasukkan {day} oleh {who})"),
    "narrative_part": ("part", "bahagian"),
    "narrative_text": ("what the committee says", "kenyataan jawatankuasa"),
    "narrative_none": ("No narrative entered by: {committees}.",
                       "Tiada naratif dimasukkan oleh: {committees}."),
    "part_gaps": ("gaps", "jurang"),
    "part_challenges": ("challenges", "cabaran"),
    "part_adjustments": ("recommended adjustments", "pelarasan yang disyorkan"),
    "part_actions": ("corrective actions", "tindakan pembetulan"),
    "entered_by": ("entered by", "dimasukkan oleh"),
    "entered_on": ("entered on", "tarikh dimasukkan"),
    "review_note": ("return reason or reviewer's note", "sebab dikembalikan atau catatan penyemak"),
    "people_sheet": ("People by indicator", "Orang mengikut petunjuk"),
    "dim_sex": ("sex", "jantina"),
    "dim_nationality": ("nationality", "warganegara"),
    "dim_age": ("age", "umur"),
    "total": ("total", "jumlah"),
    "status": ("status", "status"),
    "submitted_by": ("submitted by", "dihantar oleh"),
    "submitted_on": ("submitted on", "tarikh dihantar"),
    "done_on": ("done on", "tarikh siap"),
    "reviewer": ("reviewer", "penyemak"),
    "reviewed_on": ("reviewed on", "tarikh disemak"),
    "files": ("files (SHA-256)", "fail (SHA-256)"),
    "changed_on": ("changed on", "tarikh diubah"),
    "before": ("before", "sebelum"),
    "after": ("after", "selepas"),
    "on_time": ("on time", "tepat masa"),
    "accepted": ("accepted", "diterima"),
    "rate": ("on-time rate %", "kadar tepat masa %"),
    "none": ("None.", "Tiada."),
    "yes": ("yes", "ya"),
    "targets_note": ("The chart shows the {shown} indicators with a target and accepted "
                     "evidence; {none} indicators with a target and no accepted evidence yet "
                     "are left out of it (they are in the table, with an actual of 0).",
                     "Carta menunjukkan {shown} petunjuk yang mempunyai sasaran dan bukti "
                     "diterima; {none} petunjuk yang mempunyai sasaran tetapi belum ada bukti "
                     "diterima tidak dimasukkan (ia ada dalam jadual, dengan pencapaian 0)."),
    "targets_over": ("{over} more indicators with a target and evidence are beyond the "
                     "chart's {limit} bars: see the table.",
                     "{over} lagi petunjuk yang mempunyai sasaran dan bukti melebihi {limit} "
                     "bar carta: lihat jadual."),
    "years_met": ("{met} of {years} years", "{met} daripada {years} tahun"),
    "no": ("no", "tidak"),
    "chart_pillar": ("Completion by pillar", "Penyiapan mengikut teras"),
    "chart_committee": ("Completion by committee", "Penyiapan mengikut jawatankuasa"),
    "chart_timeline": ("Activities per year, {span}", "Aktiviti setiap tahun, {span}"),
    "chart_trend": ("Share done per year (%)", "Peratus selesai setiap tahun"),
    "chart_targets": ("Targets against actuals", "Sasaran berbanding pencapaian"),
    "summary_text": ("{done} of {applicable} activity-years are done ({percent}%); "
                     "{overdue} occurrences are overdue; {accepted} evidence rows accepted, "
                     "{pending} awaiting review, {returned} returned.",
                     "{done} daripada {applicable} aktiviti-tahun selesai ({percent}%); "
                     "{overdue} kejadian tertunggak; {accepted} bukti diterima, "
                     "{pending} menunggu semakan, {returned} dikembalikan."),
    # recommendations follow-up (naptip report recommendations; the annual report's section)
    "rec_title": ("Follow-up of recommendations: {source}", "Susulan syor: {source}"),
    "rec_title_of": ("Follow-up of recommendations: {source} ({committee})",
                     "Susulan syor: {source} ({committee})"),
    "rec_subtitle": ("Set {set}, issued {issued} · {plan} · as of {as_of}",
                     "Set {set}, dikeluarkan {issued} · {plan} · pada {as_of}"),
    "rec_section": ("Recommendations follow-up", "Susulan syor"),
    "rec_section_note": ("The recommendation sets issued up to the end of {year} that the "
                         "store holds, as followed up by {as_of}.",
                         "Set syor yang dikeluarkan sehingga akhir {year} yang disimpan, "
                         "seperti susulannya pada {as_of}."),
    "rec_summary": ("{n} items: {implemented} implemented, {progress} in progress, "
                    "{not_started} not started, {refused} not accepted; {gaps} with no "
                    "linked activity; status updates awaiting review: {awaiting}.",
                    "{n} perkara: {implemented} dilaksanakan, {progress} sedang "
                    "dilaksanakan, {not_started} belum bermula, {refused} tidak diterima; "
                    "{gaps} tanpa aktiviti dipautkan; kemas kini status menunggu "
                    "semakan: {awaiting}."),
    "rec_source": ("Source: {source}, issued {issued}.", "Sumber: {source}, dikeluarkan "
                   "{issued}."),
    "rec_by_status": ("Items by status", "Perkara mengikut status"),
    "rec_by_committee": ("Items by lead committee and status",
                         "Perkara mengikut jawatankuasa peneraju dan status"),
    "rec_gaps": ("Gaps: items with no linked activity", "Jurang: perkara tanpa aktiviti "
                 "dipautkan"),
    "rec_items": ("Items", "Perkara"),
    "rec_activities": ("Linked activities", "Aktiviti dipautkan"),
    "rec_of_set": ("{source}: {what}", "{source}: {what}"),
    "rec_item": ("item", "perkara"),
    "rec_text": ("recommendation", "syor"),
    "rec_theme": ("theme", "tema"),
    "rec_lead": ("lead committee", "jawatankuasa peneraju"),
    "rec_support": ("supporting committees", "jawatankuasa penyokong"),
    "rec_items_n": ("items", "perkara"),
    "rec_last_update": ("last update", "kemas kini terakhir"),
    "rec_linked": ("linked activities (accepted/occurrences, overdue)",
                   "aktiviti dipautkan (diterima/kejadian, tertunggak)"),
    "rec_no_lead": ("(no lead committee)", "(tiada jawatankuasa peneraju)"),
    "rec_plan": ("plan", "pelan"),
    "rec_occurrences": ("occurrences", "kejadian"),
    "rec_open": ("open", "terbuka"),
    "rec_not_in_store": ("not in the store", "tiada dalam simpanan"),
    "rec_update": ("{status} ({review}, {day})", "{status} ({review}, {day})"),
    "rec_not-started": ("not started", "belum bermula"),
    "rec_in-progress": ("in progress", "sedang dilaksanakan"),
    "rec_implemented": ("implemented", "dilaksanakan"),
    "rec_not-accepted": ("not accepted", "tidak diterima"),
    "rev_submitted": ("awaiting review", "menunggu semakan"),
    "rev_accepted": ("accepted", "diterima"),
    "rev_returned": ("returned", "dikembalikan"),
    "rev_withdrawn": ("withdrawn", "ditarik balik"),
}


def rec_status(status: str, lang: str) -> str:
    """A recommendation's status (not started, in progress...) in ``lang``."""
    return t(f"rec_{status}", lang) if f"rec_{status}" in _TEXT else status


def review_label(review: str, lang: str) -> str:
    """A status update's review state in ``lang``."""
    return t(f"rev_{review}", lang) if f"rev_{review}" in _TEXT else review


def t(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang`` (en or ms), with ``values`` filled in."""
    en, ms = _TEXT[key]
    text = ms if lang == "ms" else en
    return text.format(**values) if values else text


def status_label(status: str, lang: str) -> str:
    return t("overdue_s" if status == "overdue" else status, lang)


def evidence_status(status: str, nil: bool, lang: str) -> str:
    """An evidence row's review status (accepted, awaiting review, returned), "(nil)" for a
    nil return."""
    word = t(f"ev_{status}", lang) if f"ev_{status}" in _TEXT else status
    return f"{word} ({t('nil', lang)})" if nil else word
