"""Indonesian reply-checker rules, also read by the Malay module (`ms`).

Written from the usual phrasing of customer-service replies. Malay shares most of this wording ("mohon maaf",
"kami akan menghubungi", "bukan kesalahan kami"); the patterns also hold the Malay words where the two differ
(kerana, rekod, maklum balas, bayaran balik, dalam masa, sila), so `ms` reuses them with its own function words.
"""

from __future__ import annotations

from responders.checker.rules import LanguageRules

# Third parties a reply can blame: couriers, drivers, merchants, other departments, the bank, "the system".
NOUN = (
    r"(?:kurir|kurier|driver|pengemudi|pemandu|penghantar|rider|ekspedisi|jasa\s+(?:pengiriman|ekspedisi)|"
    r"syarikat\s+(?:penghantaran|kurier|logistik)|mitra(?:\s+(?:driver|pengemudi|merchant|pengiriman))?|"
    r"merchant|restoran|penjual|gudang|vendor|pemasok|pembekal|logistik|pos\s*laju|rekan\s+kerja|"
    r"(?:bagian|divisi|departemen|jabatan|bahagian)\s+lain|sistem|bank|pihak\s+(?:ketiga|ekspedisi|kurir|bank|"
    r"restoran|merchant|penjual|logistik|pos))"
)
_YOU = r"(?:anda|kakak|kak|bapak|ibu|pelanggan|awak)"

RULES = LanguageRules(
    code="id",
    stopwords=(
        "yang dan di ke dari untuk dengan ini itu ada tidak bukan kami kita saya anda kamu dia mereka akan sudah "
        "telah belum juga atau tapi tetapi karena jika kalau agar supaya pada dalam oleh sebagai bisa dapat harus "
        "sangat lebih masih hanya ya yg dgn utk nya pun lagi saat bahwa apa kapan mana gak nggak silakan kak"
    ),
    courtesy=(
        "halo hai selamat pagi siang sore malam kak kakak bapak ibu salam hormat terima kasih makasih mohon maaf* "
        "memohon ketidaknyaman* kendala* masalah* pengalaman* ulasan* masukan* penilaian* rating* review* "
        "pelanggan* layanan* tim sampaikan disampaikan menyampaikan informasi* pengertian* kesabaran* sekali "
        "benar-benar atas terjadi dialami alami sebelumnya"
    ),
    apology=(
        r"\b(?:(?:kami|saya)\s+)?(?:mohon|memohon|meminta|minta|harap)\s+maaf\b|\bmaaf(?:kan)?\b",
        r"\b(?:kami|saya)\s+(?:sangat\s+|amat\s+)?(?:menyesal|menyesalkan|kesal)\b",
    ),
    thanks=(r"\bterima\s*kasih\b|\bmakasih\b|\bberterima\s+kasih\b",),
    blame_shift=(
        NOUN + r"\s+(?:kami\s+|tersebut\s+)?(?:yang\s+)?(?:lupa|lalai|salah|menghilangkan|tidak\s+(?:mengantar|"
        r"mengirim|datang|menghantar))\w*",
        r"\b(?:disebabkan|dikarenakan|karena|kerana|akibat|gara-gara)\s+(?:oleh\s+)?(?:pihak\s+)?" + NOUN + r"\b",
    ),
    deflection=(
        r"\b(?:kesalahan|kelalaian|kesilapan|salah|tanggung\s*jawab)\s+(?:ada\s+|terletak\s+)?(?:pada\s+|dari\s+|"
        r"di\s+)?(?:pihak\s+)?" + NOUN + r"\b",
        r"\bbukan\s+(?:merupakan\s+)?(?:kesalahan|salah|kesilapan|tanggung\s*jawab)\s+(?:dari\s+)?(?:pihak\s+)?"
        r"kami\b|\bbukan\s+(?:dari\s+)?(?:pihak\s+)?kami\b",
        r"\bdi\s+luar\s+(?:kendali|kawalan|kontrol)\s+(?:pihak\s+)?kami\b",
        r"\b(?:kami|pihak\s+kami)\s+tidak\s+bertanggung\s*jawab\b",
        # Sending the customer to the third party instead of dealing with it.
        r"\b(?:silakan|sila|mohon|harap|dimohon|disarankan)\s+(?:untuk\s+)?(?:langsung\s+|terus\s+)?(?:menghubungi|"
        r"hubungi)\s+(?:langsung\s+|terus\s+)?(?:pihak\s+)?(?:mereka\b|" + NOUN + r"\b)",
    ),
    questions_customer=(
        r"\b(?:menurut|berdasarkan|sesuai(?:\s+dengan)?|mengikut)\s+(?:data|catatan|rekod|sistem|riwayat|"
        r"pengecekan|pemeriksaan|semakan)\s+(?:di\s+sistem\s+)?(?:kami|pihak\s+kami)\b",
        r"\b(?:tidak\s+ada|tiada)\s+(?:catatan|rekod|bukti)\b",
        r"\b"
        + _YOU
        + r"\s+(?:pasti\s+(?:sudah|telah)\s+\w+|(?:seharusnya|sepatutnya|harusnya)\s+(?:sudah\s+|telah\s+)?"
        r"(?:membaca|memeriksa|mengecek|mengikuti|menghubungi|tahu|menyemak))\b",
        r"\b(?:itu|ini)\s+(?:adalah\s+|merupakan\s+)?(?:kesalahan|kesilapan|salah|kelalaian)\s+(?:dari\s+)?"
        r"(?:pihak\s+)?(?:anda|kakak|kak|sendiri|pelanggan)\b",
        r"\b" + _YOU + r"\s+(?:sudah|telah)\s+(?:kami\s+)?(?:diberitahu|diinformasikan|dimaklumkan|diingatkan)\b",
        r"\b" + _YOU + r"\s+tidak\s+(?:membaca|mengikuti|memeriksa|mengecek)\b",
        r"\b(?:itu|hal\s+(?:tersebut|itu))\s+tidak\s+benar\b",
    ),
    next_step=(
        r"\b(?:kami|saya|tim\s+kami|pihak\s+kami)\s+(?:akan|sedang|segera)\s+(?:segera\s+)?(?:\w+\s+)?"
        r"(?:menghubungi|hubungi|menelepon|menelefon|mengecek|memeriksa|menyemak|menindaklanjuti|memproses|"
        r"mengirim|menghantar|menyelesaikan|mengembalikan|memulangkan|mengganti|menginformasikan|memaklumkan|"
        r"meneruskan|menyiasat|menelusuri|berkoordinasi|mengeskalasi)\w*",
        r"\b(?:akan|sedang|segera)\s+(?:segera\s+)?kami\s+(?:hubungi|cek|periksa|proses|tindaklanjuti|kirim|"
        r"kembalikan|teruskan|informasikan|selesaikan|ganti|telepon|semak|maklumkan|hantar|eskalasi)\b",
        r"\b(?:hari\s+ini|besok|esok|malam\s+ini|sore\s+ini|petang\s+ini|minggu\s+ini|sebelum\s+(?:pukul|jam)\s+\d+|"
        r"\d+\s*x\s*\d+\s*jam|(?:dalam|maksimal|paling\s+lambat)\s+(?:masa\s+|waktu\s+)?(?:\d+|satu|dua|tiga)\s*"
        r"(?:jam|hari(?:\s+kerja|\s+bekerja)?|menit|minit))\b",
    ),
    promise=(
        r"\b(?:kami|saya)\s+akan\s+(?:segera\s+)?(?:\w+\s+)?(?:refund|mengembalikan|mengganti|memulangkan|"
        r"mengkreditkan|memberikan\s+(?:kompensasi|voucher|ganti\s+rugi|pengembalian))\b",
        r"\b(?:dana|uang|wang|refund|pengembalian\s+dana|bayaran\s+balik|voucher|kompensasi|pesanan|paket|"
        r"bungkusan)\s+(?:" + _YOU + r"\s+)?akan\s+(?:segera\s+)?(?:dikembalikan|dikirim|diproses|masuk|"
        r"dikreditkan|sampai|tiba|dipulangkan|diganti)\b",
        r"\b" + _YOU + r"\s+akan\s+(?:menerima|mendapatkan|mendapat)\s+(?:\w+\s+){0,2}?(?:refund|pengembalian|uang|"
        r"dana|wang|voucher|kompensasi|ganti\s+rugi|bayaran\s+balik|pesanan|paket)\b",
    ),
    qualifier=(
        r"\b(?:setelah|selepas|sesudah|begitu)\s+(?:\w+\s+){0,2}?(?:dikonfirmasi|diverifikasi|pengecekan|verifikasi|"
        r"konfirmasi|pemeriksaan|disetujui|disahkan|pengesahan|semakan|disemak|dicek|kami\s+(?:cek|periksa))\b",
        r"\b(?:jika|apabila|bila|sekiranya)\s+(?:\w+\s+){0,2}?(?:memenuhi\s+syarat|disetujui|terbukti|layak|"
        r"diluluskan|dikonfirmasi)\b",
        r"\b(?:sesuai|tertakluk\s+kepada)\s+(?:dengan\s+)?(?:ketentuan|syarat|terma)\b",
    ),
    review_change=(
        r"\b(?:mengubah|ubah|menghapus|hapus|memperbarui|perbarui|mengedit|edit|menaikkan|naikkan|merevisi|"
        r"revisi|menukar|tukar|kemas\s*kini|mengemas\s*kini|memadam|padam|meninjau\s+kembali)\s+(?:kembali\s+)?"
        r"(?:\w+\s+)?(?:ulasan|rating|penilaian|bintang|review|komentar|nilai)\w*",
        r"\b(?:memberikan|berikan|beri|kasih)\s+(?:kami\s+)?(?:bintang\s+(?:\d|lima)|(?:\d|lima)\s+bintang)\b",
    ),
    filler=(
        r"\bterima\s*kasih\s+(?:banyak\s+)?(?:atas|untuk|telah|kerana|karena)\s+(?:\w+\s+){0,2}?(?:ulasan|masukan|"
        r"feedback|penilaian|rating|review|maklum\s*balas|komentar)\w*",
        r"\b(?:ulasan|masukan|feedback|maklum\s*balas)\s+(?:" + _YOU + r"\s+)?(?:sangat\s+|amat\s+)?(?:berarti|"
        r"berharga|penting|bermakna)\b",
        r"\bkami\s+(?:sangat\s+|amat\s+)?(?:menghargai|menghormati)\s+(?:\w+\s+)?(?:ulasan|masukan|feedback|"
        r"pendapat|maklum\s*balas)\w*",
        r"\bkepuasan\s+(?:pelanggan|anda)\s+(?:adalah|merupakan|ialah)\s+(?:prioritas|keutamaan)\s+(?:utama\s+)?"
        r"kami\b",
        r"\b(?:akan\s+kami\s+jadikan|akan\s+menjadi|menjadi)\s+(?:bahan\s+)?(?:evaluasi|pembelajaran|perbaikan|"
        r"penambahbaikan)\b",
    ),
)
