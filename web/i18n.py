"""The portal's words in English and Malay (the plan's own wording and ids stay as
printed). A missing Malay text falls back to the English one."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from naptip.base.errors import NaptipError
from naptip.people.contacts import ContactDirectory
from naptip.people.signin import digest_of
from naptip.store.db import Database
from naptip.store.orm import WebToken

LANGUAGES = ("en", "ms")

MS = {
    "%s evidence portal": "Portal bukti %s",
    "My work": "Kerja saya",
    "Work of %s": "Kerja %s",
    "Review queue": "Baris semakan",
    "Calendars": "Kalendar",
    "Committee": "Jawatankuasa",
    "Sign out": "Log keluar",
    "Sign in": "Log masuk",
    "This sign-in form did not come from the portal's own sign-in page, or has expired.":
        "Borang log masuk ini tidak datang dari halaman log masuk portal, atau telah "
        "tamat tempoh.",
    "Open your personal sign-in link again and press the button.":
        "Buka semula pautan log masuk peribadi anda dan tekan butang itu.",
    "Signed in as": "Log masuk sebagai",
    "Overdue": "Lewat",
    "Returned": "Dikembalikan",
    "Due in the next 30 days": "Tarikh akhir dalam 30 hari",
    "Awaiting review": "Menunggu semakan",
    "Done": "Selesai",
    "Nothing here.": "Tiada apa-apa.",
    "Supporting other committees": "Menyokong jawatankuasa lain",
    "%d days overdue": "%d hari tertunggak",
    "1 day overdue": "1 hari tertunggak",
    "Showing %d of %d.": "Memaparkan %d daripada %d.",
    "Show %d more": "Tunjuk %d lagi",
    "due on": "tarikh akhir",
    "lead": "peneraju",
    "supporting": "menyokong",
    "attending": "menghadiri",
    "Reason": "Sebab",
    "All committees": "Semua jawatankuasa",
    "All years": "Semua tahun",
    "Show": "Tunjuk",
    "What the plan asks": "Apa yang diminta oleh pelan",
    "Activity": "Aktiviti",
    "Indicators": "Petunjuk",
    "target": "sasaran",
    "Timeline": "Garis masa",
    "Due date": "Tarikh akhir",
    "How the date was set": "Bagaimana tarikh ditetapkan",
    "Status": "Status",
    "the working day the rule asks for": "hari bekerja yang dikehendaki oleh peraturan",
    "the plan's own date (a working day in": "tarikh pelan sendiri (hari bekerja di",
    "Evidence so far": "Bukti setakat ini",
    "Submit evidence": "Hantar bukti",
    "Value": "Nilai",
    "People by sex": "Bilangan orang mengikut jantina",
    "People by age group": "Bilangan orang mengikut kumpulan umur",
    "Nationalities (one a line: Nationality = count)":
        "Kewarganegaraan (satu sebaris: Kewarganegaraan = bilangan)",
    "Files": "Fail",
    "Files are not kept when the form has an error: please attach them again:":
        "Fail tidak disimpan apabila borang mempunyai ralat: sila lampirkan semula:",
    "Date the work was done": "Tarikh kerja dilaksanakan",
    "Imported from": "Diimport daripada",
    "row": "baris",
    "Note": "Catatan",
    "Links (one a line)": "Pautan (satu sebaris)",
    "No such work this year (nil return)": "Tiada kerja sedemikian tahun ini (penyata nil)",
    "Submit": "Hantar",
    "Accept": "Terima",
    "Return with a reason": "Kembalikan dengan sebab",
    "Download": "Muat turun",
    "View": "Lihat",
    "submitted by": "dihantar oleh",
    "on": "pada",
    "Progress by year and pillar": "Kemajuan mengikut tahun dan teras",
    "Narrative for the M&E reports": "Naratif untuk laporan pemantauan dan penilaian",
    "The narrative is saved; the reports print it.":
        "Naratif disimpan; laporan akan mencetaknya.",
    "Final report": "Laporan akhir",
    "Gaps": "Jurang",
    "Challenges": "Cabaran",
    "Recommended adjustments": "Pelarasan yang disyorkan",
    "Corrective actions": "Tindakan pembetulan",
    "entered by": "dimasukkan oleh",
    "Report": "Laporan",
    "A part left empty keeps what was entered before.":
        "Bahagian yang dibiarkan kosong mengekalkan apa yang dimasukkan sebelum ini.",
    "Save the narrative": "Simpan naratif",
    "Choose a plan year or the final report.": "Pilih tahun pelan atau laporan akhir.",
    "accepted": "diterima",
    "Subscribe to these feeds in your calendar:": "Langgan suapan ini dalam kalendar anda:",
    "address not set yet: ask the secretariat": "alamat belum ditetapkan: tanya urus setia",
    "Evidence": "Bukti",
    "Occurrence": "Kejadian",
    "Your evidence was received and awaits review.":
        "Bukti anda telah diterima dan menunggu semakan.",
    "Decision recorded.": "Keputusan direkodkan.",
    "Not found": "Tidak dijumpai",
    "You are signed out.": "Anda telah log keluar.",
    "This portal serves no such plan.": "Portal ini tidak melayani pelan sedemikian.",
    "Open the personal link in your latest reminder to sign in.":
        "Buka pautan peribadi dalam peringatan terkini anda untuk log masuk.",
    "Continue to the portal": "Teruskan ke portal",
    "Please correct the fields marked below.": "Sila betulkan medan yang ditanda di bawah.",
    "You submitted this evidence: another reviewer must review it.":
        "Anda yang menghantar bukti ini: penyemak lain mesti menyemaknya.",
    "female": "perempuan", "male": "lelaki", "unknown": "tidak diketahui",
    "child": "kanak-kanak", "adult": "dewasa",
    "yes": "ya", "no": "tidak",
    "Skip to the content": "Langkau ke kandungan",
    "%s is closed since %s: late evidence can still be submitted and reviewed.":
        "%s ditutup sejak %s: bukti lewat masih boleh dihantar dan disemak.",
    "Portal": "Portal",
    "Year": "Tahun",
    "Pillar": "Teras",
    "Progress": "Kemajuan",
    "Accepted": "Diterima",
    "Submitted by": "Dihantar oleh",
    "Submitted on": "Dihantar pada",
    # the portal's own refusals and page titles (the core's: naptip.web.refusals)
    "Refused": "Ditolak",
    "Too large": "Terlalu besar",
    "Nothing was stored.": "Tiada apa-apa yang disimpan.",
    "Too many sign-in attempts: wait a minute.":
        "Terlalu banyak cubaan log masuk: sila tunggu seminit.",
    "This form has expired: go back, reload the page and send it again.":
        "Borang ini telah tamat tempoh: sila kembali, muat semula halaman itu dan hantar "
        "sekali lagi.",
    # evidence and review states, as stored
    "submitted": "dihantar", "returned": "dikembalikan",
    # breakdown dimensions and indicator kinds, as stored
    "sex": "jantina", "age": "umur", "nationality": "kewarganegaraan",
    "count": "bilangan", "amount": "jumlah (RM)", "percentage": "peratusan",
    "milestone": "pencapaian", "deliverable": "hasil serahan", "narrative": "naratif",
}


#: the groups of *My work*
GROUP_LABELS = {"returned": "Returned", "overdue": "Overdue", "due": "Due in the next 30 days",
                "awaiting": "Awaiting review", "done": "Done",
                "supporting": "Supporting other committees"}


def translator(language: str) -> Callable[[str], str]:
    if language == "ms":
        return lambda text: MS.get(text, text)
    return lambda text: text


def link_language(db: Database, secret: str) -> str | None:
    """The language of the contact a sign-in link was sent to, used, expired or not: the
    sign-in page, and its refusals, speak it before there is a session (None: no such
    link, or no such contact any more)."""
    if not secret or len(secret) > 200:
        return None
    with db.reading() as session:
        email = session.execute(select(WebToken.contact_email).where(
            WebToken.digest == digest_of(secret), WebToken.kind == "link")).scalar()
    if email is None:
        return None
    try:
        language = ContactDirectory(db).get(email).language
    except NaptipError:
        return None
    return language if language in LANGUAGES else None
