"""A refusal as the portal shows it, in the reader's language.

The core's messages are one English line each (the CLI is English); the portal shows them
without their command-line hints (:func:`naptip.web.forms.plain`) and, on a Malay page, in
Malay: each known message is matched whole, by pattern, and rebuilt in Malay around the
values it carries (numbers, file names, limits, dates). What stays in English is the plan's
own wording (an indicator's text) and what a plugin or a library said: it is marked
``lang="en"``. A message no pattern knows is never half translated: a Malay page shows a
Malay lead-in and the whole original, marked ``lang="en"``.

The result is markup (escaped text, and ``<span lang="en">`` around English parts), to be
put on a page as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup, escape

from naptip.web.forms import plain

#: on a Malay page, before a message no pattern knows (shown whole, in English)
LEAD_IN = "Permintaan ini tidak dapat diproses. Butirannya dalam bahasa Inggeris:"

_NARRATIVE_PART = re.compile(r"--(gaps|challenges|adjustments|actions)\b")
_NARRATIVE_PARTS_EN = {"gaps": "gaps", "challenges": "challenges",
                       "adjustments": "recommended adjustments",
                       "actions": "corrective actions"}
_NARRATIVE_PARTS_MS = {"gaps": "Jurang", "challenges": "Cabaran",
                       "adjustments": "Pelarasan yang disyorkan",
                       "actions": "Tindakan pembetulan"}
_NOTHING_TO_SAY = re.compile(r"give at least one of the gaps part(, the [a-z ]+ part)+")


def english(message: str) -> str:
    """The core's message for a web page: no command-line options or commands."""
    text = plain(message)
    text = _NARRATIVE_PART.sub(lambda m: f"the {_NARRATIVE_PARTS_EN[m.group(1)]} part", text)
    return _NOTHING_TO_SAY.sub("fill in at least one part", text)


def refusal(message: str, language: str) -> Markup:
    """``message`` (a refusal from the core or the portal) for a page in ``language``."""
    text = english(message)
    if language != "ms":
        return escape(text)
    for rule in _RULES:
        try:
            shown = rule(text)
        except _Unknown:
            break
        if shown is not None:
            return _capitalised(shown)
    return Markup("{} {}").format(LEAD_IN, _en(text))


def known(message: str) -> bool:
    """Whether a Malay page shows ``message`` wholly in Malay (tests use it)."""
    return not refusal(message, "ms").startswith(LEAD_IN)


class _Unknown(Exception):
    """A part of a message that no rule knows: the whole message falls back."""


def _en(text: str) -> Markup:
    return Markup('<span lang="en">{}</span>').format(text)


def _capitalised(text: Markup) -> Markup:
    if text[:1].isalpha() and text[:1].islower():
        return Markup(text[:1].upper()) + Markup(text[1:])
    return text


def _f(template: str, *parts: str | Markup) -> Markup:
    """``template`` with ``{}`` filled by ``parts`` (escaped unless already markup)."""
    return Markup(template).format(*parts)


# --- the parts messages are made of ---------------------------------------------------

_WHAT = {"a MyKad number": "nombor MyKad", "a passport number": "nombor pasport",
         "a phone number": "nombor telefon"}
_DIMENSION = {"sex": "jantina", "age": "umur", "nationality": "kewarganegaraan"}
_CATEGORY = {"female": "perempuan", "male": "lelaki", "unknown": "tidak diketahui",
             "child": "kanak-kanak", "adult": "dewasa"}
_STATUS = {"accepted": "diterima", "returned": "dikembalikan", "submitted": "dihantar"}
_PROGRAM = {"a Windows program": "program Windows", "a Linux program": "program Linux",
            "a script": "skrip"}
_READABLE = {"office document": "dokumen pejabat", "ZIP archive": "arkib ZIP"}


def _where(text: str) -> Markup:
    """Where in the evidence a problem is: ``indicator 2 (Number of…)``, ``the note``,
    ``the sex breakdown female``, ``file report.txt: minutes.txt``..."""
    fixed = {"the note": "catatan", "the reason": "sebab", "a file name": "nama fail",
             "the date done": "tarikh kerja dilaksanakan",
             "the date the work was done": "tarikh kerja dilaksanakan",
             "the name given with --as": "nama yang diberikan"}
    if text in fixed:
        return Markup(fixed[text])
    if (m := re.fullmatch(r"indicator (\d+) \((.+)\)", text, re.S)) and _balanced(m.group(2)):
        return _f("petunjuk {} ({})", m.group(1), _en(m.group(2)))
    if m := re.fullmatch(r"indicator (\d+)", text):
        return _f("petunjuk {}", m.group(1))
    if m := re.fullmatch(r"(.+): the milestone date", text, re.S):
        return _f("{}: tarikh pencapaian", _where(m.group(1)))
    if m := re.fullmatch(r"link (\d+)", text):
        return _f("pautan {}", m.group(1))
    if m := re.fullmatch(r"the (sex|age|nationality) breakdown(?: (.+))?", text, re.S):
        dimension = _f("pecahan {}", _DIMENSION[m.group(1)])
        if m.group(2) is None:
            return dimension
        category = m.group(2)
        return _f("{} ({})", dimension, _CATEGORY.get(category, category))
    if m := re.fullmatch(r"the (gaps|challenges|recommended adjustments|corrective actions)"
                         r" part", text):
        key = {v: k for k, v in _NARRATIVE_PARTS_EN.items()}[m.group(1)]
        return _f("bahagian {}", _NARRATIVE_PARTS_MS[key])
    if m := re.fullmatch(r"a file name in (.+)", text, re.S):
        return _f("nama fail dalam {}", m.group(1))
    if m := re.fullmatch(r"file (.+)", text, re.S):
        return _f("fail {}", m.group(1))
    raise _Unknown(text)


_FINDING = re.compile(r"(a MyKad number|a passport number|a phone number) in (.+?) "
                      r"\(line (\d+)\)", re.S)


def _findings(text: str) -> Markup:
    """``a phone number in the note (line 2); a MyKad number in indicator 1 (line 1)``."""
    parts: list[Markup] = []
    rest = text
    while rest:
        m = _FINDING.match(rest)
        if m is None:
            raise _Unknown(text)
        parts.append(_f("{} dalam {} (baris {})", _WHAT[m.group(1)], _where(m.group(2)),
                        m.group(3)))
        rest = rest[m.end():]
        if rest.startswith("; "):
            rest = rest[2:]
        elif rest:
            raise _Unknown(text)
    return Markup("; ").join(parts)


def _refused(m: re.Match[str]) -> Markup:
    what = {"evidence refused": "bukti ditolak", "narrative refused": "naratif ditolak"}
    more = (_f(" dan {} lagi", m.group("more")) if m.group("more") else Markup(""))
    return _f("{}: ditemui sesuatu yang kelihatan seperti {}{}. Data peribadi mangsa tidak "
              "boleh dimasukkan ke dalam naptip (NAPTIP 3.0, S24): buang data itu dan hantar "
              "semula", what[m.group("refused")], _findings(m.group("findings")), more)


def _breakdowns(text: str) -> Markup:
    """``the sex breakdown, the nationality breakdown and the age breakdown``."""
    names = re.findall(r"the (sex|age|nationality) breakdown", text)
    if not names:
        raise _Unknown(text)
    words = [_DIMENSION[n] for n in names]
    return Markup("pecahan " + (", ".join(words[:-1]) + " dan " + words[-1]
                                if len(words) > 1 else words[0]))


def _deliverables(text: str) -> Markup:
    """``indicator 1 (Minutes…); indicator 3 (Report…)``, or ``1 (Minutes…)``."""
    parts = []
    for item in text.split("; "):
        m = re.fullmatch(r"(?:indicator )?(\d+) \((.+)\)", item, re.S)
        if m is None or not _balanced(m.group(2)):
            raise _Unknown(text)
        parts.append(_f("{} ({})", m.group(1), _en(m.group(2))))
    return _f("petunjuk {}", Markup("; ").join(parts))


Build = Callable[[re.Match[str]], Markup]
Rule = Callable[[str], Markup | None]


def _fill(template: str, m: re.Match[str], **given: Markup) -> Markup:
    parts = {name: escape(value) for name, value in m.groupdict().items()
             if value is not None}
    return Markup(template).format(**{**parts, **given})


def _rule(pattern: str, build: Build | str) -> Rule:
    """A whole message and its Malay: a template whose ``{name}`` are the pattern's groups
    (``{where}`` translated as a place in the evidence, others shown as given), or a
    function of the match."""
    compiled = re.compile(pattern, re.S)

    def rule(text: str) -> Markup | None:
        m = compiled.fullmatch(text)
        if m is None:
            return None
        if not isinstance(build, str):
            return build(m)
        where = m.groupdict().get("where")
        return _fill(build, m, **({"where": _where(where)} if where is not None else {}))

    return rule


def _at(tail: str, template: str) -> Rule:
    """A message ``WHERE: TAIL``. The plan's indicator texts may hold ``: `` and
    parentheses, and echoed input anything: each ``: `` is tried, from the left, until
    the part before it is a place :func:`_where` knows and the rest matches ``tail``."""
    compiled = re.compile(tail, re.S)

    def rule(text: str) -> Markup | None:
        for split in re.finditer(": ", text):
            m = compiled.fullmatch(text, split.end())
            if m is None:
                continue
            try:
                where = _where(text[:split.start()])
            except _Unknown:
                continue
            return _fill(template, m, where=where)
        return None

    return rule


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


_Q = r"(?P<value>'.*'|\".*\")"  #: input echoed back, quoted as Python quotes it

_RULES: tuple[Rule, ...] = (
    # --- indicator values (naptip.base.values) ---------------------------------------
    _at(r"a count cannot be negative \((?P<value>[^)]*)\)",
          "{where}: bilangan tidak boleh negatif ({value})"),
    _at(_Q + r" is not a whole number",
          "{where}: {value} bukan nombor bulat"),
    _at(r"a count is at most (?P<n>[\d,]+)",
          "{where}: bilangan tidak boleh melebihi {n}"),
    _at(_Q + r" is not an amount in MYR \(e\.g\. 12500\.00\)",
          "{where}: {value} bukan jumlah dalam RM (contoh: 12500.00)"),
    _at(r"an amount is at most MYR (?P<n>[\d,.]+)",
          "{where}: jumlah tidak boleh melebihi RM {n}"),
    _at(r"an amount in MYR has at most two decimals",
          "{where}: jumlah dalam RM mempunyai paling banyak dua tempat perpuluhan"),
    _at(_Q + r" is not a percentage \(0 to 100\)",
          "{where}: {value} bukan peratusan (0 hingga 100)"),
    _at(_Q + r" is not a percentage",
          "{where}: {value} bukan peratusan"),
    _at(r"a percentage is between 0 and 100 \((?P<n>[^)]*)\)",
          "{where}: peratusan mestilah antara 0 dan 100 ({n})"),
    _at(r"answer yes or no \(optionally yes@YYYY-MM-DD\)",
          "{where}: jawab ya atau tidak (boleh juga ya@YYYY-MM-DD)"),
    _at(_Q + r" is not a date like 2024-07-30",
          "{where}: {value} bukan tarikh seperti 2024-07-30"),
    _at(r"a milestone answered no is not evidence that it was reached: submit "
          r"when it is \(yes@YYYY-MM-DD\)",
          "{where}: pencapaian yang dijawab tidak bukanlah bukti bahawa ia telah dicapai: "
          "hantar apabila ia telah dicapai (ya@YYYY-MM-DD)"),
    _at(r"say when the milestone was reached \(yes@YYYY-MM-DD or the date done\)",
          "{where}: nyatakan bila pencapaian itu dicapai (ya@YYYY-MM-DD atau tarikh kerja "
          "dilaksanakan)"),
    _at(r"the text is empty", "{where}: teks kosong"),
    _at(r"the text is longer than (?P<n>[\d,]+) characters",
          "{where}: teks melebihi {n} aksara"),
    _rule(r"(?P<where>.+) (?P<day>\d{4}-\d\d-\d\d) is in the future "
          r"\(today is (?P<today>\d{4}-\d\d-\d\d)\)",
          "{where} {day} ialah tarikh pada masa hadapan (hari ini {today})"),
    _rule(r"(?P<where>.+) (?P<day>\d{4}-\d\d-\d\d) is before the plan started "
          r"\((?P<start>\d{4}-\d\d-\d\d)\)",
          "{where} {day} lebih awal daripada tarikh pelan bermula ({start})"),
    # --- the evidence service (naptip.progress.evidence) ------------------------------
    _rule(r"occurrence (?P<id>\S+) is already done: its evidence was accepted",
          "kejadian {id} telah selesai: buktinya telah diterima"),
    _rule(r"occurrence (?P<id>\S+) has evidence #(?P<n>\d+) awaiting review; it must be "
          r"reviewed before new evidence is submitted",
          "kejadian {id} mempunyai bukti #{n} yang menunggu semakan; bukti itu mesti "
          "disemak sebelum bukti baharu dihantar"),
    _rule(r"occurrence (?P<id>\S+) was withdrawn from the plan",
          "kejadian {id} telah ditarik balik daripada pelan"),
    _rule(r"'no such work this year' is only for yearly returns of on-demand activities "
          r"\(occurrences of kind nil-return\)",
          "'tiada kerja sedemikian tahun ini' hanya untuk penyata tahunan bagi aktiviti "
          "yang dilaksanakan apabila perlu"),
    _rule(r"'no such work this year' means no such work this year: give no values or files "
          r"with it",
          "'tiada kerja sedemikian tahun ini' bermaksud tiada kerja sedemikian dilaksanakan "
          "pada tahun ini: jangan berikan sebarang nilai atau fail bersamanya"),
    _rule(r"indicator (?P<key>.+): this occurrence has (?P<n>\d+) indicator\(s\): "
                r"(?P<listing>.+)",
     lambda m: _f("petunjuk {}: kejadian ini mempunyai {} petunjuk: {}", m.group("key"),
                  m.group("n"), _en(m.group("listing")))),
    _at(r"a deliverable needs at least one document",
          "{where}: hasil serahan memerlukan sekurang-kurangnya satu dokumen"),
    _rule(r"a deliverable needs at least one document: indicator (?P<list>.+)",
     lambda m: _f("hasil serahan memerlukan sekurang-kurangnya satu dokumen: {}",
                  _deliverables(m.group("list")))),
    _at(r"a value is needed", "{where}: nilai diperlukan"),
    _rule(r"this occurrence has no indicator that counts people: (?P<dims>.+) do not "
                r"apply",
     lambda m: _f("kejadian ini tiada petunjuk yang mengira bilangan orang: {} tidak "
                  "berkaitan", _breakdowns(m.group("dims")))),
    _rule(r"unknown breakdown (?P<value>.+); use sex, nationality or age",
          "pecahan {value} tidak dikenali; gunakan jantina, kewarganegaraan atau umur"),
    _rule(r"the (?P<dim>sex|age) breakdown (?P<value>.+): use one of (?P<list>.+)",
     lambda m: _f("pecahan {} {}: gunakan salah satu daripada {}", _DIMENSION[m.group("dim")],
                  m.group("value"), ", ".join(_CATEGORY.get(c, c)
                                              for c in m.group("list").split(", ")))),
    _at(r"a category needs a short name",
          "{where}: setiap kategori memerlukan nama yang pendek"),
    _rule(r"the (?P<dim>sex|age|nationality) breakdown adds up to (?P<sum>[\d,]+), "
                r"but indicator (?P<n>\d+) counts (?P<total>[\d,]+)",
     lambda m: _f("pecahan {} berjumlah {}, tetapi petunjuk {} mengira {}",
                  _DIMENSION[m.group("dim")], m.group("sum"), m.group("n"),
                  m.group("total"))),
    _rule(r"link (?P<value>.+) is not an http\(s\) address",
          "pautan {value} bukan alamat http(s)"),
    _rule(r"the note is longer than (?P<n>[\d,]+) characters: keep it short \(attach a "
          r"document for more, with no personal data\)",
          "catatan melebihi {n} aksara: ringkaskannya (lampirkan dokumen untuk maklumat "
          "lanjut, tanpa data peribadi)"),
    _rule(r"each file needs its name", "setiap fail memerlukan namanya"),
    _rule(r"(?P<refused>evidence refused|narrative refused): found what looks like "
                r"(?P<findings>.+?)(?: and (?P<more>\d+) more)?\. Victims' personal data must "
                r"not enter naptip \(NAPTIP 3\.0, S24\): remove it and submit again",
     _refused),
    _rule(r"evidence refused by plugin (?P<plugin>'[^']*'): (?P<text>.+)",
     lambda m: _f("bukti ditolak oleh pemalam {}: {}", m.group("plugin"),
                  _en(m.group("text")))),
    _rule(r"evidence not checked: (?P<text>.+)",
     lambda m: _f("bukti tidak dapat disemak: {}", _en(m.group("text")))),
    # --- files (naptip.store.blobs, naptip.store.doc_text, naptip.web.uploads) -------
    _rule(r"file (?P<name>.+): looks like (?P<what>a Windows program|a Linux "
                r"program|a script); only documents, images and text are accepted",
     lambda m: _f("fail {}: kelihatan seperti {}; hanya dokumen, imej dan teks diterima",
                  m.group("name"), _PROGRAM[m.group("what")])),
    _rule(r"file (?P<name>.+): type not recognised; accepted: PDF, images, office documents, "
          r"ZIP and UTF-8 text",
          "fail {name}: jenis fail tidak dikenali; yang diterima: PDF, imej, dokumen pejabat, "
          "ZIP dan teks UTF-8"),
    _rule(r"file name (?P<name>.+) is not a plain file name",
          "nama fail {name} bukan nama fail biasa"),
    _rule(r"file name has control characters or is longer than (?P<n>\d+)",
          "nama fail mengandungi aksara kawalan atau melebihi {n} aksara"),
    _rule(r"file (?P<name>.+) is (?P<size>[\d,.]+) MB; the limit is (?P<limit>[\d,.]+) MB",
          "fail {name} bersaiz {size} MB; hadnya ialah {limit} MB"),
    _rule(r"file (?P<name>.+) is larger than the limit of (?P<limit>[\d,.]+) MB",
          "fail {name} melebihi had {limit} MB"),
    _rule(r"file (?P<name>.+) is empty", "fail {name} kosong"),
    _rule(r"file (?P<name>.+) holds more than (?P<n>[\d,.]+) MB of text: too much to check "
          r"for personal data; split it into smaller documents",
          "fail {name} mengandungi lebih daripada {n} MB teks: terlalu banyak untuk disemak "
          "bagi data peribadi; pecahkannya kepada dokumen yang lebih kecil"),
    _rule(r"file (?P<name>.+): the files of one submission may hold at most (?P<n>[\d,.]+) "
          r"MB of text to check for personal data; submit fewer or smaller documents",
          "fail {name}: fail dalam satu penghantaran boleh mengandungi paling banyak {n} MB "
          "teks untuk disemak bagi data peribadi; hantar dokumen yang lebih sedikit atau "
          "lebih kecil"),
    _rule(r"file (?P<name>.+) took longer than (?P<n>[\d.]+) s to check for personal data; "
          r"split it into smaller documents",
          "semakan data peribadi bagi fail {name} mengambil masa lebih daripada {n} saat; "
          "pecahkannya kepada dokumen yang lebih kecil"),
    _rule(r"file (?P<name>.+) is an archive inside an archive: its contents cannot be "
          r"checked for personal data; attach the documents themselves",
          "fail {name} ialah arkib di dalam arkib: kandungannya tidak dapat disemak bagi "
          "data peribadi; lampirkan dokumen itu sendiri"),
    _rule(r"file (?P<name>.+) is damaged: it is not a readable (?P<what>office "
                r"document|ZIP archive), so it cannot be checked for personal data; save it "
                r"again and attach the new copy",
     lambda m: _f("fail {} rosak: ia bukan {} yang boleh dibaca, maka ia tidak dapat disemak "
                  "bagi data peribadi; simpan semula fail itu dan lampirkan salinan baharu",
                  m.group("name"), _READABLE[m.group("what")])),
    _rule(r"file (?P<name>.+) holds (?P<n>[\d,]+) files; at most (?P<max>[\d,]+) can be "
          r"checked for personal data",
          "fail {name} mengandungi {n} fail; paling banyak {max} fail boleh disemak bagi "
          "data peribadi"),
    _rule(r"file (?P<name>.+) is encrypted \((?P<member>.+)\): its text cannot be checked "
          r"for personal data; attach it unencrypted",
          "fail {name} disulitkan ({member}): teksnya tidak dapat disemak bagi data "
          "peribadi; lampirkan fail itu tanpa penyulitan"),
    _rule(r"file (?P<name>.+) is an encrypted PDF: its text cannot be checked for personal "
          r"data; attach it unencrypted",
          "fail {name} ialah PDF yang disulitkan: teksnya tidak dapat disemak bagi data "
          "peribadi; lampirkan fail itu tanpa penyulitan"),
    _rule(r"at most (?P<n>\d+) files at once", "paling banyak {n} fail pada satu masa"),
    _rule(r"too many form fields", "terlalu banyak medan dalam borang"),
    _rule(r"field (?P<name>.+) is too long", "medan {name} terlalu panjang"),
    _rule(r"a form part has no name", "satu bahagian borang tidak bernama"),
    _rule(r"the form must be sent as multipart/form-data",
          "borang mesti dihantar sebagai multipart/form-data"),
    _rule(r"the form could not be read: (?P<text>.+)",
     lambda m: _f("borang tidak dapat dibaca: {}", _en(m.group("text")))),
    # --- the evidence form (naptip.web.forms) -----------------------------------------
    _rule(r"write one nationality a line, as Nationality = count",
          "tulis satu kewarganegaraan sebaris, seperti Kewarganegaraan = bilangan"),
    _rule(r"the date the work was done is not a date like 2024-07-30",
          "tarikh kerja dilaksanakan bukan tarikh seperti 2024-07-30"),
    # --- review (naptip.progress.evidence, naptip.store.reviewers) --------------------
    _rule(r"returning evidence needs a reason",
          "bukti yang dikembalikan memerlukan sebab"),
    _rule(r"evidence #(?P<n>\d+) was already (?P<status>accepted|returned|submitted) "
                r"by (?P<who>.+) on (?P<at>.+)",
     lambda m: _f("bukti #{} telah pun {} oleh {} pada {}", m.group("n"),
                  _STATUS[m.group("status")], m.group("who"), m.group("at"))),
    _rule(r"self-review refused: (?P<who>.+?) submitted this evidence"
                r"(?: \(as (?P<as>.+)\))?; another person must review it",
     lambda m: _f("semakan sendiri ditolak: {} telah menghantar bukti ini{}; orang lain mesti "
                  "menyemaknya", m.group("who"),
                  _f(" (sebagai {})", m.group("as")) if m.group("as") else Markup(""))),
    _rule(r"(?P<who>.+) may not review evidence: only contacts with a reviewer or secretariat "
          r"role, or a role on the Monitoring and Evaluation Committee, may",
          "{who} tidak boleh menyemak bukti: hanya kenalan yang mempunyai peranan penyemak "
          "atau urus setia, atau peranan dalam Jawatankuasa Pemantauan dan Penilaian, "
          "boleh berbuat demikian"),
    # --- narratives (naptip.reports.narrative) ----------------------------------------
    _rule(r"the (?P<part>gaps|challenges|recommended adjustments|corrective actions) "
                r"part is (?P<n>[\d,]+) characters long: at most (?P<max>[\d,]+)",
     lambda m: _f("{} mempunyai {} aksara: paling banyak {} aksara",
                  _where(f"the {m.group('part')} part"), m.group("n"), m.group("max"))),
    _rule(r"nothing to say: fill in at least one part",
          "tiada apa-apa untuk disimpan: isi sekurang-kurangnya satu bahagian"),
    # --- sign-in (naptip.people.signin) -----------------------------------------------
    _rule(r"this sign-in link is not valid", "pautan log masuk ini tidak sah"),
    _rule(r"this sign-in link was already used", "pautan log masuk ini telah digunakan"),
    _rule(r"this sign-in link has expired", "pautan log masuk ini telah tamat tempoh"),
)
