"""Malaysia's states and federal territories, as naptip names them: configuration,
contacts and the working-day rules share this one list."""

from __future__ import annotations

#: state id -> (name, ISO 3166-2:MY subdivision code used by ``holidays``)
STATES: dict[str, tuple[str, str]] = {
    "johor": ("Johor", "01"),
    "kedah": ("Kedah", "02"),
    "kelantan": ("Kelantan", "03"),
    "melaka": ("Melaka", "04"),
    "negeri-sembilan": ("Negeri Sembilan", "05"),
    "pahang": ("Pahang", "06"),
    "pulau-pinang": ("Pulau Pinang", "07"),
    "perak": ("Perak", "08"),
    "perlis": ("Perlis", "09"),
    "selangor": ("Selangor", "10"),
    "terengganu": ("Terengganu", "11"),
    "sabah": ("Sabah", "12"),
    "sarawak": ("Sarawak", "13"),
    "kuala-lumpur": ("Wilayah Persekutuan Kuala Lumpur", "14"),
    "labuan": ("Wilayah Persekutuan Labuan", "15"),
    "putrajaya": ("Wilayah Persekutuan Putrajaya", "16"),
}
DEFAULT_STATE = "putrajaya"
