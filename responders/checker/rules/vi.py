"""Vietnamese reply-checker rules (written from the usual phrasing of customer-service replies, with tone marks).

Vietnamese writes one syllable per word, so a content word here is a syllable; the courtesy list holds the
syllables of the stock words (xin lỗi, bất tiện, trải nghiệm, phản hồi ...).
"""

from __future__ import annotations

from responders.checker.rules import LanguageRules

# Third parties a reply can blame: shippers, carriers, partners, restaurants, other departments, "the system".
_NOUN = (
    r"(?:shipper|tài\s+xế|người\s+giao\s+hàng|nhân\s+viên\s+giao\s+hàng|bên\s+(?:vận\s+chuyển|giao\s+hàng|"
    r"thứ\s+ba|đối\s+tác|ngân\s+hàng|nhà\s+hàng)|đơn\s+vị\s+(?:vận\s+chuyển|giao\s+hàng|đối\s+tác)|"
    r"hãng\s+vận\s+chuyển|đối\s+tác|nhà\s+cung\s+cấp|nhà\s+hàng|quán|kho|hệ\s+thống|ngân\s+hàng|"
    r"bộ\s+phận\s+khác|phòng\s+ban\s+khác|đồng\s+nghiệp|bưu\s+điện)"
)
_US = r"(?:chúng\s+tôi|bên\s+(?:em|mình|tôi)|shop|em|mình|tôi)"
_YOU = r"(?:quý\s+khách|bạn|anh\s*/\s*chị|anh\s+chị|anh|chị)"

RULES = LanguageRules(
    code="vi",
    stopwords=(
        "và của là có không được cho với các những này đó thì mà để khi đã đang sẽ rất cũng như từ trong trên về "
        "theo tại nhưng hay hoặc vì nên bị chúng tôi bạn anh chị em quý khách mình ạ nhé ơi vẫn chưa lại ra vào nếu "
        "một sự việc bên"
    ),
    courtesy=(
        "xin chào kính gửi thân mến cảm ơn cám lỗi thành thật chân vô cùng bất tiện phiền hài lòng trải nghiệm "
        "vấn đề cố dịch vụ đánh giá phản hồi góp kiến chia sẻ thông cảm mong hiểu tiếc đáng team đội ngũ "
        "hàng shop xảy gặp phải"
    ),
    apology=(
        r"\b(?:" + _US + r"\s+)?(?:thành\s+thật\s+|chân\s+thành\s+|rất\s+|vô\s+cùng\s+)?xin\s+lỗi\b",
        r"\b(?:rất|vô\s+cùng|thật\s+sự)\s+(?:lấy\s+làm\s+)?tiếc\b",
        r"\bmong\s+" + _YOU + r"\s+(?:thông\s+cảm|thứ\s+lỗi|bỏ\s+qua)\b",
    ),
    thanks=(r"\b(?:cảm|cám)\s+ơn\b",),
    blame_shift=(
        r"\b(?:do|bởi)\s+(?:phía\s+)?" + _NOUN + r"\b",
        _NOUN + r"\s+(?:đã\s+)?(?:quên|làm\s+mất|làm\s+sai|giao\s+nhầm|giao\s+sai|không\s+giao|chịu\s+trách\s+nhiệm)",
    ),
    deflection=(
        r"\b(?:do\s+lỗi|là\s+lỗi|lỗi|trách\s+nhiệm)\s+(?:là\s+)?(?:của|ở|từ|thuộc\s+về)\s+(?:phía\s+)?" + _NOUN,
        r"\bkhông\s+phải\s+(?:là\s+)?(?:do\s+)?(?:lỗi\s+)?(?:của\s+)?" + _US + r"\b",
        r"\bngoài\s+(?:tầm\s+)?(?:kiểm\s+soát|khả\s+năng)\s+(?:của\s+)?" + _US + r"\b",
        r"\b" + _US + r"\s+không\s+(?:chịu|có)\s+trách\s+nhiệm\b",
        # Sending the customer to the third party instead of dealing with it.
        r"\b(?:vui\s+lòng|nên|hãy)\s+(?:trực\s+tiếp\s+)?(?:liên\s+hệ|gọi(?:\s+điện)?(?:\s+cho)?|khiếu\s+nại)\s+"
        r"(?:trực\s+tiếp\s+)?(?:với\s+)?(?:phía\s+)?(?:họ\b|" + _NOUN + r")",
    ),
    questions_customer=(
        r"\b(?:theo|căn\s+cứ\s+(?:theo|vào))\s+(?:dữ\s+liệu|hồ\s+sơ|ghi\s+nhận|hệ\s+thống|lịch\s+sử)\s+(?:của\s+)?"
        + _US
        + r"\b",
        r"\bhệ\s+thống\s+(?:của\s+" + _US + r"\s+)?(?:ghi\s+nhận|cho\s+thấy)\b",
        r"\bkhông\s+(?:có\s+)?(?:ghi\s+nhận|bằng\s+chứng)\b",
        r"\b(?:là\s+)?lỗi\s+(?:của|từ\s+phía|do)\s+(?:" + _YOU + r"|khách\s+hàng)\b",
        r"\b" + _YOU + r"\s+đã\s+được\s+(?:thông\s+báo|nhắc|báo\s+trước|cảnh\s+báo)\b",
        r"\b" + _YOU + r"\s+(?:đã\s+)?không\s+(?:đọc|làm\s+theo|kiểm\s+tra)\b",
        r"\b(?:điều\s+này|thông\s+tin\s+này)\s+(?:là\s+)?không\s+(?:đúng|chính\s+xác)\b",
    ),
    next_step=(
        r"\bsẽ\s+(?:\w+\s+){0,2}?(?:liên\s+hệ|gọi|kiểm\s+tra|xử\s+lý|hoàn|gửi|giải\s+quyết|chuyển|cập\s+nhật|"
        r"đổi|xác\s+minh|báo\s+lại|phản\s+hồi\s+lại)\b",
        r"\b" + _US + r"\s+(?:đang|đã)\s+(?:kiểm\s+tra|xử\s+lý|liên\s+hệ|chuyển|hoàn|gửi|làm\s+việc\s+với)\b",
        r"\b(?:hôm\s+nay|ngày\s+mai|tối\s+nay|chiều\s+nay|sáng\s+mai|tuần\s+này|trong\s+(?:vòng\s+)?\d+\s*"
        r"(?:giờ|h|ngày(?:\s+làm\s+việc)?|phút)|trước\s+\d+\s*(?:giờ|h))\b",
        # The same commitments and times typed without tone marks ("se goi lai", "hom nay").
        r"\bse\s+(?:\w+\s+){0,2}?(?:lien\s+he|goi|kiem\s+tra|xu\s+ly|hoan|gui|giai\s+quyet|chuyen|cap\s+nhat|"
        r"xac\s+minh|bao\s+lai)\b",
        r"\b(?:hom\s+nay|ngay\s+mai|toi\s+nay|chieu\s+nay|sang\s+mai|tuan\s+nay|trong\s+(?:vong\s+)?\d+\s*"
        r"(?:gio|h|ngay|phut))\b",
    ),
    promise=(
        r"\b" + _US + r"\s+sẽ\s+(?:\w+\s+){0,2}?(?:hoàn\s+(?:tiền|lại\s+tiền|trả)|bồi\s+thường|đền\s+bù|"
        r"đổi\s+(?:hàng|sản\s+phẩm|mới)|gửi\s+(?:lại\s+)?(?:hàng|đơn|sản\s+phẩm|voucher|mã)|giao\s+(?:lại|hàng))",
        r"\b" + _YOU + r"\s+sẽ\s+(?:được\s+)?(?:nhận\s+(?:được\s+)?(?:\w+\s+){0,2}?(?:tiền|hoàn|voucher|mã|hàng|"
        r"bồi\s+thường)|hoàn\s+tiền|bồi\s+thường)",
        r"\b(?:tiền|khoản\s+tiền|đơn\s+hàng)\s+(?:\w+\s+){0,3}?sẽ\s+được\s+(?:hoàn|giao|gửi|chuyển)",
    ),
    qualifier=(
        r"\bsau\s+khi\s+(?:\w+\s+){0,3}?(?:xác\s+minh|xác\s+nhận|kiểm\s+tra|duyệt|phê\s+duyệt)",
        r"\bnếu\s+(?:\w+\s+){0,3}?(?:đủ\s+điều\s+kiện|được\s+duyệt|được\s+xác\s+nhận|hợp\s+lệ)",
        r"\bkhi\s+(?:\w+\s+){0,2}?(?:xác\s+nhận|xác\s+minh|được\s+duyệt)",
        r"\btheo\s+(?:quy\s+định|chính\s+sách)\b",
    ),
    review_change=(
        r"\b(?:sửa|chỉnh\s+sửa|thay\s+đổi|cập\s+nhật|gỡ|xóa|xoá|nâng|tăng)\s+(?:lại\s+)?(?:\w+\s+)?(?:đánh\s+giá|"
        r"bình\s+luận|review|số\s+sao|sao)\b",
        r"\b(?:cho|tặng)\s+(?:\w+\s+){0,2}?(?:\d|năm)\s+sao\b",
    ),
    filler=(
        r"\b(?:cảm|cám)\s+ơn\s+(?:" + _YOU + r"\s+)?(?:đã\s+)?(?:\w+\s+){0,2}?(?:góp\s+ý|phản\s+hồi|đánh\s+giá|"
        r"chia\s+sẻ|ý\s+kiến|nhận\s+xét)\b",
        r"\b" + _US + r"\s+(?:luôn\s+)?(?:rất\s+)?(?:trân\s+trọng|ghi\s+nhận|đánh\s+giá\s+cao)\s+(?:mọi\s+|những\s+|"
        r"các\s+)?(?:\w+\s+)?(?:ý\s+kiến|góp\s+ý|phản\s+hồi|đánh\s+giá)",
        r"\bsự\s+hài\s+lòng\s+của\s+(?:" + _YOU + r"|khách\s+hàng)\s+là\s+(?:ưu\s+tiên|mục\s+tiêu)",
        r"\b(?:ý\s+kiến|phản\s+hồi|góp\s+ý)\s+(?:của\s+" + _YOU + r"\s+)?(?:là\s+)?(?:rất\s+)?(?:quan\s+trọng|"
        r"quý\s+giá|quý\s+báu)",
        r"\b(?:luôn\s+)?(?:nỗ\s+lực|cố\s+gắng)\s+(?:để\s+)?(?:cải\s+thiện|mang\s+(?:lại|đến)\s+(?:dịch\s+vụ|"
        r"trải\s+nghiệm)\s+tốt)",
    ),
)
