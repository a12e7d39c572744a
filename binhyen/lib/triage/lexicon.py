"""Vietnamese keyword lexicons for triage, matched on folded token boundaries.

Each group is a list of phrases written the way a citizen would (with diacritics); they are
folded with ``vntext.fold`` when the module loads, so a hit does not depend on accents or
teencode ("đánh nhau", "danh nhau", "đánh nhau r" all hit ``cat:public_order``).

Words that are ambiguous once accents are gone are only listed inside longer phrases:
``lừa``/``lửa``/``lúa`` (scam/fire/rice), ``cháy``/``chạy`` (burn/run), ``nhậu``/``nhau``,
``đá`` (meth/stone/already), ``kẹo``/``kéo``, ``kiếm`` (sword/earn), ``từ từ``/``tự tử``.

Hits become features of the statistical model and the words quoted in explanations.
"""

from __future__ import annotations

from typing import NamedTuple

from binhyen.lib import vntext

CATEGORY_LABELS = {
    "public_order": "gây rối trật tự công cộng",
    "theft_robbery": "trộm cắp, cướp",
    "drugs": "ma túy",
    "gambling": "cờ bạc",
    "fraud": "lừa đảo",
    "loan_shark": "tín dụng đen",
    "traffic": "giao thông",
    "fire_rescue": "cháy nổ, cứu nạn",
    "domestic_child": "bạo lực gia đình, xâm hại trẻ em",
    "environment": "môi trường, tài nguyên",
    "suspicious": "đối tượng khả nghi",
    "other_crime": "vi phạm khác",
}
INTENT_LABELS = {
    "tip": "tin báo",
    "question": "câu hỏi thủ tục/pháp luật",
    "feedback": "góp ý, phản ánh, khen",
    "other": "khác (chào hỏi, cảm ơn, quảng cáo, không liên quan)",
}
URGENCY_LABELS = {"critical": "khẩn cấp", "high": "cao", "normal": "bình thường"}

_GROUPS: dict[str, str] = {
    # ---------------------------------------------------------------- categories
    "cat:public_order": """
        đánh nhau|đánh lộn|ẩu đả|xô xát|hỗn chiến|đánh hội đồng|chém nhau|đâm chém|đâm nhau|
        hẹn đánh|hẹn nhau đánh|trả thù|tụ tập|gây rối|quậy phá|đập phá|say xỉn|say rượu|
        nhậu nhẹt|quán nhậu|ngồi nhậu|uống rượu|chửi bới|chửi tục|la hét|ồn ào|om sòm|
        karaoke|hát karaoke|mở loa|loa kẹo kéo|mở nhạc|nhạc xập xình|sập sình|xập xình|
        nẹt pô|rú ga|côn đồ|giang hồ|băng nhóm|mã tấu|cầm kiếm|mang kiếm|vác kiếm|gậy gộc|
        ném chai|đập chai|ném đá|dọa đánh|bắt nạt|bạo lực học đường|chặn đánh|chặn đường đánh|
        gây sự|hăm dọa|thanh niên tụ tập|mất trật tự|không ngủ được|hung khí|tuýp sắt|
        kéo đến đánh|đánh người|gây gổ|cãi nhau|
        bạn cùng lớp|cùng lớp|bạn học|túm tóc|quay clip|đánh bạn|học sinh đánh|nữ sinh đánh|
        bị bạn đánh|
        đánh ghen|lột áo|lột đồ|làm nhục|
        bị đâm|đâm người|đâm bị thương|bị chém|chém người|chém bị thương|bị đánh|
        cầm dao|vung dao|rút dao|dí dao|dọa chém|cầm dao đe dọa|
        đánh 1|đánh một|đánh ông|đánh bà|đánh ông già|đánh tài xế|đánh khách|đánh chủ quán""",
    "cat:theft_robbery": """
        trộm|ăn trộm|lấy trộm|mất trộm|bị trộm|trộm cắp|kẻ trộm|móc túi|bị giật|giật túi|
        giật điện thoại|giật dây chuyền|giật đồ|cướp giật|giựt|cướp|bẻ khóa|phá khóa|cạy cửa|
        đột nhập|lấy cắp|ăn cắp|mất cắp|lấy mất|mất xe|bắt chó|súng điện|tiệm vàng|hái trộm|
        nhổ trộm|cắt trộm|nhặt được|không trả lại|không chịu trả|khống chế|lục lọi|xe trộm|
        mất cái|mất con|mất chiếc|mất hết|leo vào|trèo vào|leo rào|vào kho|phá cửa|cửa bị cạy|
        bị phá|két sắt|
        cạy tủ|lục tủ|bóng người|nhà đi vắng|mất bò|mất trâu|trộm bò|trộm trâu|dắt bò|bắt bò|
        con bò|con trâu|dấu bánh xe|
        hứa trả|hứa sẽ trả|định vị|icloud|không chịu trả lại|giữ luôn|
        chó nhà|cẩu tặc|trộm chó|bắt trộm chó|mới trả lại|mới chịu trả|đòi tiền mới trả|
        con heo|con lợn|heo trong chuồng|lùa heo|lùa lợn|lùa bò|lùa trâu|lùa dê|trộm heo|
        trộm lợn|mất heo|mất lợn|mất dê|trộm dê|con dê|mất ở rẫy|ra thì không thấy|
        sáng ra không thấy""",
    "cat:drugs": """
        ma túy|ma tuý|chất cấm|hàng trắng|heroin|thuốc lắc|dùng ke|chơi ke|hàng ke|kẹo bay|
        viên kẹo|bay lắc|mở nhạc bay|ma túy đá|hàng đá|nghiện đá|ngáo đá|ngáo|chơi đá|
        hút đá|bóng cười|nước vui|cỏ mỹ|nấm thức thần|cần sa|thuốc phiện|tiêm chích|
        hút chích|kim tiêm|sốc thuốc|sốc ma túy|dân nghiện|con nghiện|nghiện|cai nghiện|
        điểm bán|sử dụng trái phép chất|phê pha|bán lẻ|thuốc lá điện tử|tinh dầu|pha chất|
        mùi khét|bong đèn|coke|cocaine|
        pod lạ|hút pod|vape lạ|tinh dầu lạ|chơi đồ|phê thuốc|
        bán ke|mua ke|hút ke|bán hàng đá""",
    "cat:gambling": """
        đánh bạc|cờ bạc|bài bạc|đánh bài|sới bạc|sòng bạc|xóc đĩa|bầu cua|lắc bầu cua|lô đề|
        ghi đề|ghi lô|số đề|đánh đề|đánh lô|cá độ|cá cược|ghi kèo|nhà cái|chọi gà|đá gà|tá lả|
        binh xập xám|phỏm|tiến lên|ăn tiền|game bài|đổi thưởng|casino|tài xỉu|sát phạt|
        sổ ghi chép|soi cầu|đại lý cá độ|chứa đề|ghi số|bán đề|chứa bạc|xóc dĩa|
        game bài online|bài online|cổng game|nạp tiền chơi|chơi game bài|đánh bài online|
        đánh bài trên mạng|cá độ bóng đá|đặt cược|
        sòng bài|mở sòng|mở sòng bài|sới bài|chiếu bạc|bài cào|xì dách|đánh bài ăn tiền|
        lại mở sòng""",
    "cat:fraud": """
        lừa đảo|bị lừa|lừa tiền|lừa lấy|lừa đảo qua mạng|lừa đảo chiếm đoạt|giả danh|
        mạo danh|tự xưng|xưng là|chuyển khoản|chuyển tiền|mã otp|otp|đường link|link lạ|
        sinh trắc học|bị hack|chiếm tài khoản|mượn tiền|đa cấp|đầu tư|sàn đầu tư|
        sàn chứng khoán|tiền ảo|làm nhiệm vụ|nạp tiền|không rút được|rút tiền|phí hải quan|
        phí thông quan|gửi quà|trúng thưởng|giả mạo|app giả|trang web giả|web giả|phạt nguội|
        rửa tiền|tài khoản tạm giữ|đặt cọc|sổ đỏ giả|giấy tay|nhà sư|giả làm|quen qua mạng|
        việc nhẹ lương cao|chuyển khoản giả|ảnh chuyển khoản|tải app|cài app|cập nhật thông tin|
        nhân viên ngân hàng|điện lực|bảo hiểm|hoàn tiền|chặn luôn|tắt máy|lợi nhuận|hội thảo|
        chữa được|cán bộ thuế|lấy lại tiền|bị chặn|tuyển lao động|lương cao|bao ăn ở|
        đi campuchia|sang campuchia|bị giữ|nộp tiền chuộc|mua hàng online|chuyển cọc|giả vờ|
        áo cà sa|giả sư|sư giả|xin tiền xây chùa|giả làm sư|mặc đồ giống|mặc giống|ép mua|
        bắt mua|giả cảnh sát|giả công an|công an giả|giả cán bộ|
        kêu gọi quyên góp|quyên góp|số tài khoản|số tk|thuê bao|mua chịu|hẹn trả tiền|quỵt|
        không đặt|giấy vụn|giao đơn|shipper giao|ship cod|mở ra toàn|
        chặn số|chặn zalo|chặn facebook|mua qua fb|mua trên mạng|đặt trên mạng|mặc áo giống|
        áo giống công an|thu tiền làm|
        hụi|chơi hụi|chủ hụi|vỡ hụi|giật hụi|bể hụi|ôm hụi|ôm tiền bỏ trốn|ôm tiền trốn|góp họ|
        chơi họ|đầu tư ảo|sàn ảo|app đầu tư|
        gọi video|cuộc gọi video|dọa bắt|mặc quân phục|giả làm công an|đi làm nhật|đi làm hàn quốc|
        đi làm đài loan|thu mỗi người|tiền hồ sơ|đi nước ngoài làm việc|
        công ty ma|dự án ma|góp vốn|góp tiền|biến mất|mất trắng|dự án đất nền""",
    "cat:loan_shark": """
        tín dụng đen|vay nặng lãi|cho vay nặng lãi|nặng lãi|lãi cắt cổ|lãi suất cao|vay app|
        app vay|vay qua app|đòi nợ|đòi nợ thuê|siết nợ|xiết nợ|siết xe|siết sổ đỏ|khủng bố|
        danh bạ|bêu riếu|mắm tôm|tạt sơn|ném sơn|sơn đỏ|chất bẩn|tờ rơi|hỗ trợ tài chính|
        vay góp|góp ngày|góp theo ngày|cầm đồ|tiệm cầm đồ|lãi ngày|bốc họ|tiền lãi|nợ gốc|
        thu lãi|cho vay|vay tiền nhanh|vay nhanh|ảnh ghép|tiền chuộc|bắt lên xe|
        vay tiền|cầm sổ đỏ|bắt cầm|lãi tháng|
        bát họ|bốc bát họ|giữ thẻ atm|giữ cccd|giữ căn cước""",
    "cat:traffic": """
        tai nạn|tai nạn giao thông|xe đâm|va chạm|tông xe|tông vào|tông trúng|bị tông|đâm xe|
        đâm trực diện|xe tải đâm|quẹt trúng|quẹt ngã|lật xe|xe lật|bị lật|đua xe|lạng lách|
        đánh võng|bốc đầu|chạy ẩu|tốc độ cao|quá tốc độ|quá tải|chở quá|quá số người|
        nồng độ cồn|không đội mũ|chở 3|xe phân khối lớn|mất lái|cán qua|bị văng|văng ra|
        đâm vào con|xe máy đâm|ô tô đâm|bỏ chạy|gây tai nạn|vượt ẩu|kẹt dưới gầm|chuẩn bị đua|
        tụ tập đua xe|đua xe trái phép|bốc đầu xe|tông trụ|tông cột|đâm vào cột|đâm gãy|
        tông gãy|chạy tiếp|tài xế say|có vẻ say|lái xe say|tông người|tông bà|tông ông|
        tông chết|cán chết|cán qua người|tông phải|bóp còi|học sinh chạy xe|
        lùi trúng|lùi xe trúng|cán trúng|cán phải|bị xe cán|xe cán|bị cán""",
    "cat:fire_rescue": """
        bị cháy|cháy nhà|cháy lớn|đám cháy|vụ cháy|bốc cháy|cháy rừng|cháy kho|cháy xưởng|
        cháy quán|cháy tiệm|cháy chợ|có cháy|lửa cháy|chập điện|hỏa hoạn|ngọn lửa|lửa bốc|
        lửa đang lan|khói đen|khói bốc|nổ bình gas|bình gas|phát nổ|vụ nổ|đuối nước|
        chết đuối|nước cuốn|lũ cuốn|bị cuốn|lật thuyền|thuyền bị lật|bị chìm|sạt lở|bị vùi|
        mắc kẹt|bị kẹt|kẹt trong|kẹt trên|nhảy cầu|nhảy sông|dọa nhảy|đòi tự tử|định tự tử|
        tự tử|treo cổ|uống thuốc sâu|pccc|phòng cháy|chữa cháy|bình chữa cháy|thoát hiểm|
        lối thoát hiểm|cứu hộ|cứu nạn|nước ngập|lũ|ngập|bị bỏng|bỏng nặng|sập nhà|114|lặn tìm|
        mất tích|thuyền|chiếc xuồng|rơi xuống biển|
        rơi xuống sông|chưa tìm thấy|nước lũ|cây đổ|điện giật|giật điện|
        sạt xuống|đất sạt|lở đất|vùi lấp|bị lấp|kẹt bên trong|chiếc ghe|lật ghe|ghe bị|
        bị nước cuốn|tắm suối|tắm sông|tắm đập|bị đuối|
        té ao|té xuống ao|té xuống giếng|té sông|té suối|rơi xuống giếng|rơi xuống ao|
        ngã xuống ao|ngã xuống giếng|ngã xuống sông|rớt xuống|sóng đánh|sóng úp|úp thuyền|
        chìm thuyền|chìm ghe|chưa vớt|trục vớt|sập giếng|sập hầm|sập đất|sập mái|bị đè|lũ lên|
        nước lên|nước dâng|ngồi trên mái|nóc nhà|cô lập|lốc xoáy|sét đánh|rò rỉ gas|rò gas|
        hở gas|khí gas|đuối nước|
        chưa về|tìm khắp nơi|tìm khắp|không thấy về|chưa thấy về|đi lạc trong rừng|lạc trong rừng|
        lạc đường|đi rẫy chưa về|mất liên lạc|
        uống thuốc diệt cỏ|uống thuốc chuột|uống thuốc trừ sâu|uống thuốc ngủ|uống thuốc độc|
        thuốc diệt cỏ|đòi nhảy|định nhảy|lan can cầu|nhảy xuống sông|nhảy xuống cầu|
        lửa lan|lửa từ|bén lửa|bắt lửa|cháy rơm|rơm cháy|lan vào chuồng|lan sang nhà|
        nói muốn chết|đòi chết|muốn tự tử|mép đập|mép cầu|hô hấp nhân tạo|chuột rút|
        vớt lên|vừa vớt lên""",
    "cat:domestic_child": """
        đánh vợ|đánh con|đánh đập vợ|đánh đập|bạo hành|bạo lực gia đình|chồng đánh|
        cha đánh|bố đánh|bố dượng|mẹ kế|xâm hại|hiếp dâm|dâm ô|sàm sỡ|sờ soạng|ấu dâm|
        bắt cóc|dụ dỗ|buôn người|bán sang trung quốc|tảo hôn|ép cưới|gả cho|bóc lột|
        lao động trẻ em|thuê trẻ|bỏ rơi|bỏ đói|con riêng|nhốt con|chồng say|vợ con|bầm tím|
        nghỉ học|ép|đón đi|bế lên|chồng em|chồng tôi|chồng chị|ông chồng|đòi giết vợ|bị trói|
        trói lại|trói chân|
        trói tay|kiệt sức|mẹ ruột|cha ruột|thầy giáo|thằng con|giết cả nhà|đánh mẹ|đánh cha|
        đánh bố|bế đi|bế lên xe|
        bị bán sang|dẫn sang|lừa bán|mua bán người|bé sơ sinh|trẻ sơ sinh|bỏ trong thùng|
        đập vợ|đập con|chồng đập|đánh vợ con|chửi đánh vợ|vợ chạy ra|vợ bỏ chạy|hành hạ|
        các cháu|nhóm trẻ|bảo mẫu|cô giáo đánh|trẻ mầm non|mầm non|dí đầu|dụ sang|bị dụ sang|
        sang trung quốc|đưa sang trung quốc|đánh đứa|đứa con|
        chưa đủ tuổi lao động|chưa đủ tuổi đi làm|đưa các em|chở các em|dẫn các em|các em gái|
        giết mẹ|đòi giết mẹ|dọa giết mẹ|dọa mẹ|chém mẹ|giết bố|giết cha|dọa bố|đòi tiền mẹ|
        đòi tiền bố|đánh mẹ nó|dụ mấy em|dụ các em|dụ em gái|dụ mấy cô gái|dụ các cô gái|
        đi làm nhà hàng|làm nhà hàng|phục vụ nhà hàng|em gái người|bé gái người|
        dụ lên|dụ vào|dụ đi làm|làm phục vụ|phục vụ quán""",
    # Who the victim is (a child) says little about what happened to them: a child who fell
    # into a pond is a rescue, a pupil beaten by classmates is public order.
    "cue:child": """
        trẻ em|bé gái|bé trai|cháu bé|đứa bé|đứa nhỏ|con gái|con nhỏ|học sinh nữ|cháu gái|
        con trai tôi|con trai em|cháu trai|đứa cháu|con tôi|con em|mấy đứa nhỏ""",
    "cat:environment": """
        chặt cây|cây rừng|chặt rừng|đốn cây|đốn gỗ|khai thác rừng|gỗ rừng|săn bắt|đi săn|săn thú|
        con sóc|cheo|thú quý|khai thác gỗ|gỗ lậu|chặt phá rừng|phá rừng|
        lâm tặc|cưa máy|tiếng cưa|
        đốt rừng|lấn chiếm rừng|rừng phòng hộ|rừng tự nhiên|khai thác cát|hút cát|cát lậu|
        bãi cát|ghe hút cát|khai thác vàng|khoáng sản|đào đất|động vật hoang dã|thú rừng|
        bẫy thú|đặt bẫy|tê tê|rắn hổ mang|cu li|con khỉ|con voi|voi con|thịt chồn|con chồn|
        cầy hương|con rùa|rùa núi|nhím|chim quý|
        xả thải|nước thải|ô nhiễm|mùi hôi|hôi thối|cá chết|rác thải|đốt rác|chất thải|
        thịt thú rừng|vườn quốc gia|kích điện|thuốc nổ đánh cá|san lấp|xả nước|
        gỗ tròn|gỗ xẻ|gỗ quý|gỗ mới cưa|mới cưa|cưa hạ|xe chở cây|
        bẫy chim|giăng lưới|lưới tàng hình|bắt chim|chim trời|bắt cò|
        ngà voi|lông đuôi voi|móng hổ|sừng tê|vảy tê tê|mật gấu|rùa biển|san hô|nổ mìn đánh cá|
        chích điện|xung điện|khai thác đá|đốt nương|
        xả khí|khí thải|khí thối|mùi thối|nồng nặc|ngứa mắt|khói bụi|bụi mù|nhà máy xả|
        gỗ hương|gỗ hương lậu|dấu kiểm lâm|chưa có dấu kiểm lâm""",
    "cat:suspicious": """
        lạ mặt|người lạ|đối tượng lạ|khả nghi|đáng ngờ|đáng nghi|lảng vảng|dò xét|dò đường|
        rình|chạy qua chạy lại|nhìn vào nhà|nhìn vào trong|soi đèn|không biển|xe lạ|thuyền lạ|
        tàu lạ|thuê trọ|thuê phòng|tên giả|khai tên|không đăng ký tạm trú|khẩu trang|
        theo dõi|chụp ảnh|hỏi thăm|tắt đèn|đi lòng vòng|đi lang thang|lén lút|nghi là trộm|
        có ai ở nhà|đi từng nhà|dò hỏi|xe không biển|không ai trông coi|bỏ lại|đậu cả ngày|
        biển số bị che|che biển|che biển số|kính dán tối|kính tối màu|không ai tới lấy|
        không ai đến lấy|đậu mấy ngày|nhìn vào từng nhà|nhìn vào nhà người ta|
        người nước ngoài|cửa đóng kín|đóng cửa kín|ra vào thất thường|máy dò kim loại|đào bới|
        đóng cửa suốt|gọi điện liên tục|nhà thuê|người thuê|ghi chép|đánh dấu nhà|hỏi mua chó|
        flycam bay|bay vòng vòng|bay lượn|máy bay không người lái|drone lạ|flycam lạ|
        hỏi nhà ai|hỏi nhà nào|nhà ai nuôi|nhà nào nuôi|thu mua chó|mua chó mèo|
        hỏi giá nhà|ngó nghiêng|nhòm ngó|dòm ngó|ngó vào nhà|ngó vào chuồng|dòm vào nhà|
        chụp hình nhà|chụp hình cổng|chụp hình từng nhà|vào xem nhà|soi từng nhà|đi soi|
        cầm súng săn|vác súng|súng săn|súng hoa cải""",
    "cat:other_crime": """
        giấy tờ giả|làm giả|bằng giả|tiền giả|hàng giả|hàng nhái|giả nhãn hiệu|tem giả|
        buôn lậu|hàng lậu|thuốc lá lậu|đường lậu|pháo|pháo nổ|pháo hoa|pháo bi|mại dâm|
        bán dâm|gái bán dâm|chứa gái|súng hơi|súng cồn|súng tự chế|vũ khí|kíp nổ|thuốc nổ|
        tin giả|bịa đặt|xuyên tạc|kích động|giữ người|nhốt|không cho về|giam lỏng|bị nhốt|giữ lại|
        lấy điện thoại|rượu giả|
        không tem|tàng trữ|làm bằng|bằng lái giả|nước mắm giả|
        cắt ghép|video cắt ghép|tung tin|tin thất thiệt|gây hoang mang|hoang mang|
        tay vịn|karaoke tay vịn|gái ngồi bàn|đi khách|kích dục|massage trá hình|chứa mại dâm|
        ngà voi giả|
        tự xử|đường thái|đường cát thái|bao đường|
        gái bao|gái gọi|dắt khách|dẫn qua nhà nghỉ|nhà nghỉ bên cạnh|có gái|gái phục vụ|
        bị chủ giam giữ|chủ giam giữ|giam giữ trái phép|bị chủ nhốt|chủ nhốt|bị chủ giữ|
        chủ giữ lại|thu điện thoại|tịch thu điện thoại|nợ lương|không trả lương|
        không cho ra khỏi nhà|không cho ra ngoài|chủ nhà giữ|đi giúp việc|
        giúp việc|không nhãn mác|không rõ nguồn gốc|thuốc không nhãn|thuốc tân dược""",
    # ---------------------------------------------------------------- labelling-rule cues
    # A crash where a vehicle catches fire is traffic, not fire (see the labelling rules).
    "cue:crash": """
        tai nạn|tai nạn giao thông|xe đâm|va chạm|tông xe|tông vào|tông trúng|bị tông|đâm xe|
        đâm trực diện|xe tải đâm|lật xe|xe lật|mất lái|xe máy đâm|ô tô đâm|tông trụ|
        tông cột|đâm vào cột|đâm vào trụ|đâm vào nhà|tông vào nhà|
        đâm gãy|tông gãy|đâm sập|
        tông người|tông bà|tông ông|tông chết|cán chết|tông phải|
        lùi trúng|lùi xe trúng|cán trúng|cán phải|bị xe cán|xe cán|bị cán""",
    "cue:burning": """
        bốc cháy|bị cháy|cháy rụi|cháy lớn|bắt lửa|lửa bốc|ngọn lửa|phát nổ|bùng cháy|cháy xe|
        xe cháy""",
    # A person missing or lost (a child at the market, an old man not back from the field) is
    # a rescue and critical; a lost cat or a lost wallet is not (see features.cue_features).
    "cue:missing": """
        đi lạc|lạc mất|mất tích|chưa về|không thấy về|chưa thấy về|tìm khắp|tìm khắp nơi|
        không tìm thấy|chưa tìm thấy|mất liên lạc|không liên lạc được|bỏ nhà đi|đi đâu không rõ|
        tìm từ nãy|tìm mãi|
        không thấy đâu|giờ không thấy|không thấy con|không thấy cháu""",
    "cue:person": """
        cụ ông|cụ bà|ông cụ|bà cụ|người già|ông nội|bà nội|ông ngoại|bà ngoại|bố tôi|bố em|
        mẹ tôi|mẹ em|ba tôi|ba em|má tôi|má em|con bé|thằng bé|cháu bé|bé gái|bé trai|đứa bé|
        đứa nhỏ|con gái|con trai|học sinh|cháu nội|cháu ngoại|con tôi|con em|cháu tôi|cháu em|
        người đàn ông|người phụ nữ|thanh niên|anh trai|chị gái|em trai|em gái|chồng tôi|vợ tôi|
        chồng em|vợ em|tuổi""",
    # A truck carrying timber is logging (environment), not a traffic matter.
    # Goods on sale: a knife or an animal in a cage offered for sale is trade, not danger.
    "cue:trade": """
        rao bán|bày bán|bán công khai|nhận cầm|cầm đồ|bán lại|bán cho khách|trên menu|
        thực đơn|bán súng|bán dao|bán kiếm|bán mã tấu|bán thịt|bán online|đặt hàng""",
    # A vehicle named is context, not a traffic offence: a drug hand-over from a car, sand
    # carried by trucks or timber on a truck are not traffic (the act decides).
    "cue:vehicle": """
        xe khách|xe tải|container|xe ben|camera hành trình|đường đèo|chạy xe|xe công nông|
        xe đầu kéo|tài xế""",
    "cue:timber": """
        gỗ tròn|gỗ xẻ|gỗ lậu|gỗ quý|gỗ rừng|kiểm lâm|chốt kiểm lâm|lâm tặc""",
    # ---------------------------------------------------------------- intent cues
    "int:procedure": """
        căn cước|cccd|cmnd|chứng minh nhân dân|vneid|định danh|mức 2|tạm trú|thường trú|
        tạm vắng|lưu trú|hộ khẩu|sổ hộ khẩu|đăng ký xe|sang tên|biển số|hộ chiếu|lý lịch tư pháp|
        bằng lái|giấy phép lái xe|khai sinh|mã định danh|xác nhận cư trú|ct07|cấp lại|cấp đổi|
        làm lại|thủ tục|hồ sơ|nộp hồ sơ|lệ phí|dịch vụ công|giấy tờ|giấy xác nhận|giấy phép|
        xin phép|thẩm duyệt|xuất cảnh|xuất khẩu lao động|đăng ký|khai báo|tích hợp|cà vẹt|
        cavet|đổi biển|biển vàng|giấy chứng nhận|một cửa|chứng tử|kết hôn|tách khẩu|nhập khẩu|
        xóa thường trú|đủ điều kiện|an ninh trật tự|flycam|nhân thân|
        nộp phạt|đóng phạt|lấy lại xe|nhận lại xe|tạm giữ xe|ghi địa chỉ|địa chỉ thường trú|
        sáp nhập|
        thẩm định|nghiệm thu|lên nhận|cần giấy tờ gì|nhận lại""",
    "int:ask": """
        cho hỏi|xin hỏi|cho em hỏi|cho mình hỏi|cho tôi hỏi|cho cháu hỏi|hỏi|có được không|
        được không|có phải|phải làm sao|làm sao|như thế nào|thế nào|bao lâu|ở đâu|khi nào|
        có cần|cần gì|cần những gì|gồm những gì|cần mang|mang theo gì|có bị|có mất phí|
        mất bao lâu|nộp ở đâu|làm ở đâu|đi đâu|hay phải|hay không|có sao không|có còn|
        được phép|bắt buộc không|có bắt buộc|xin cấp|tra cứu|
        lên đâu|hay là|thuộc xã nào|thuộc phường nào|giờ là thuộc|giờ thuộc|nay thuộc|
        bao nhiêu|bao nhiêu tiền|mấy ngày|không ạ|chưa ạ|được chưa|được không ạ|có ai biết|
        có cần|cần mang|
        gì vậy|gì vậy ạ|vậy ạ|là gì|tên gì|là ai|ai vậy|
        có thật không|thật không|có đúng không|đúng không|có đúng vậy không|thật hay giả""",
    "int:legal": """
        có bị phạt|bị phạt bao nhiêu|phạt bao nhiêu|mức phạt|có vi phạm|vi phạm pháp luật|
        phạm pháp|có phạm tội|hợp pháp|có bị bắt|bị xử lý|truy cứu|quy định|luật|nghị định|
        có bị cấm|có được phép|hình sự|hành chính|liên đới|có giá trị pháp lý|thụ lý|
        không bị phạt|mới không bị phạt|đến mấy giờ""",
    "int:lost": """
        đánh rơi|bị mất|làm mất|thất lạc|rơi mất|mất ví|mất giấy tờ|mất căn cước|mất cccd|
        mất bằng|mất sổ|mất điện thoại|quên mật khẩu|quên""",
    "int:praise": """
        cảm ơn|cám ơn|khen|tuyên dương|hài lòng|biết ơn|mang ơn|chân thành|tận tình|chu đáo|
        nhanh gọn|kịp thời|nhiệt tình|đánh giá cao|tuyệt vời|rất nhanh|giúp đỡ|đã giúp|
        đã hướng dẫn|đáng khen|ghi nhận|
        hoan nghênh|đỡ hẳn|giảm hẳn|yên tâm|an tâm|trân trọng|cảm kích|các chiến sĩ|
        hay quá|rất hay|bổ ích|ý nghĩa|thiết thực|rất ý nghĩa|đã share|đã chia sẻ cho""",
    # Suggestions about police work or public order services are feedback, not tips.
    "int:suggest": """
        đề nghị bố trí|đề nghị lắp|đề nghị tăng cường|đề nghị dán|nên bố trí|nên lắp|
        bố trí người|điều tiết giao thông|phân luồng|lắp thêm|lắp đặt|tăng cường tuần tra|
        tuyên truyền|đặt biển|cắm biển|làm biển|gắn biển|lắp camera|lắp đèn|mở thêm|
        kéo dài giờ|
        tổ chức tuyên truyền|buổi tuyên truyền|tổ chức buổi|tuyên truyền thêm|phát loa""",
    # Praise that cannot be the polite ending of a tip ("..., em cảm ơn" is not praise).
    "int:strong_praise": """
        khen|tuyên dương|hoan nghênh|biết ơn|mang ơn|đáng khen|đánh giá cao|nhờ có các anh|
        nhờ các anh mà|cảm ơn các anh đã|cảm ơn công an đã|cám ơn các anh đã|rất hài lòng|
        xin gửi lời cảm ơn|chân thành cảm ơn|trân trọng|cảm kích|
        cảm động|rất cảm động|cảm ơn mấy anh csgt|cảm ơn các anh csgt|cảm ơn các chú""",
    "int:complaint": """
        góp ý|bức xúc|đường dây nóng|mới có người|đề nghị|kiến nghị|phản ánh|mong cải thiện|
        không ai trả lời|chưa ai trả lời|
        không ai gọi lại|chưa ai gọi lại|không ai nghe máy|không ai nghe|chậm quá|trả lời chậm|
        quá chậm|thái độ|
        hách dịch|cộc lốc|khó chịu|gây khó dễ|không hướng dẫn|bất tiện|không tiếp nhận|
        không phản hồi|không thấy phản hồi|phản hồi|không thấy|chưa thấy|hỏng|đề nghị sửa|
        sửa lại|hợp lý không|có quy định|camera giao thông|đèn đường|biển báo|trụ sở|
        làm ăn kiểu gì|tại sao|vì sao|biên lai|
        không hợp lý|vô lý|nhũng nhiễu|bị quát|quát tháo|chờ cả|chờ mãi|máy hỏng|báo lỗi|bị lỗi|
        đi xa|xem lại|nên có|nên bố trí|nên làm|nên lắp|
        không thấy ai|không xử lý|chưa xử lý|chưa giải quyết|tăng cường tuần tra|bố trí|
        lắp thêm|biển chỉ dẫn|có người báo tin|biết trước|
        đề nghị công an|nên lắp|lắp camera|lắp đặt camera|
        làm gương|gương mẫu|được trả lời là|tiếp nhận mà|
        chưa có cán bộ nào|chưa có ai xuống|chưa ai xuống|không ai xuống|xác minh hay gọi lại|
        xem xét và phản hồi|
        mới tới|mới đến|mới xuống|cả tiếng sau|gần 1 tiếng|1 tiếng sau|
        bồi dưỡng|đòi tiền|vòi tiền|không lập biên bản|tiêu cực|làm luật|nên đăng|bài đăng|
        trang zalo này|
        không ai bắt máy|không ai nhấc máy|máy bận|xử lý dứt điểm|chưa có kết luận|đến nay chưa|
        tới nay chưa|vẫn chưa có kết quả|chưa có kết quả|không thấy ai phản hồi|vẫn như cũ|
        đề nghị tăng cường|mong cải thiện|tới chậm|đến chậm|chậm trễ|
        chẳng thấy ai|chẳng thấy|chẳng ai|không thấy ai đến|không thấy ai xuống|tổng đài|hứa sẽ|
        bảo sẽ|sẽ báo xuống|sẽ cử người|mà chẳng|mà không thấy|mà chưa thấy|trong giờ làm việc|
        giờ hành chính|mặc sắc phục|mặc quân phục|đang trực mà|trực ban|cán bộ uống rượu|
        cán bộ nhậu|cán bộ công an|cán bộ xã|anh công an|chiến sĩ công an|
        muốn phản ánh|phản ánh việc|xe cứu hỏa đến|đến trễ|tới trễ|khiếu nại|đơn khiếu nại|
        không đồng ý với quyết định|quyết định xử phạt|sao công an không|công an không xử lý|
        mà vẫn|mà không kiểm tra|đứng nhìn|không làm gì|rồi chưa có|hỏi thì bảo|bảo chờ|
        chưa có thẻ|chưa nhận được|thông báo thụ lý|tổ chức tuyên truyền|buổi tuyên truyền|
        đúng hay sai|có đúng không|vậy là sao|là sao|không được báo|không báo cho gia đình|
        không thông báo cho gia đình|gia đình không được|chưa đủ chứng cứ|không đủ chứng cứ|
        chưa đủ căn cứ|không đủ căn cứ|vẫn nhởn nhơ|vẫn đi lại|nghênh ngang|tự đi hỏi|
        không cho vào thăm|không cho thăm|không đưa giấy tờ|không nhận được quyết định|
        không nhận được thông báo|không được thông báo|chưa được thông báo|công an làm gì|
        công an đâu|công an để làm gì|vẫn ở ngoài|vẫn ngoài đường|vẫn chưa bị bắt|chưa bị bắt|
        vẫn chưa xử lý|như cũ|dân chán|chán lắm rồi|mới tới nơi|xong rồi để đó|để đó""",
    "int:past_report": """
        đã báo|báo vụ|lần trước|báo rồi|đã phản ánh|trình báo|tôi báo|em báo|báo mất|
        từ tháng trước|mấy lần rồi|nhiều lần|từ đầu tháng|đã gọi|gọi 113|hôm trước báo|
        đã gửi|vụ việc của tôi|kết quả|
        đã nhắn tin|đã nhắn|đã báo việc|đến nay đã|đến nay vẫn|
        gọi công an|đã gọi công an|gọi cho công an|gọi đường dây nóng|em gọi|tôi gọi|
        đổ chuông|gọi mãi|đã trình báo|báo rồi mà|báo mà|gửi tin báo|đã gửi tin|
        dân phản ánh|phản ánh cả năm|phản ánh nhiều lần|gửi đơn|đã gửi đơn|đơn tố cáo|làm đơn|
        có đơn|có đơn rồi|đã có đơn|làm đơn rồi|đã làm đơn|đã báo cháy|báo cháy""",
    "int:greeting": """
        chào|xin chào|hello|hi|alo|chúc|chúc mừng|chào buổi sáng|ok|vâng|haha|hihi|hehe|
        test|sticker|hình ảnh|cảm ơn|cám ơn|thanks|ad ơi|có ai không|nhé|
        chúc mừng năm mới|năm mới|chúc các anh chị|chúc sức khỏe""",
    "int:spam": """
        liên hệ|inbox|zalo|giải ngân|lãi suất thấp|không thế chấp|không thẩm định|chỉ cần cccd|
        tuyển|tuyển dụng|cộng tác viên|lương|thu nhập|việc nhẹ|bán đất|đất nền|sổ hồng|
        sổ đỏ riêng|chính chủ|giá rẻ|giá chỉ|giảm giá|khuyến mãi|freeship|ủng hộ|shop|
        sim số đẹp|bao đậu|nhận làm|dịch vụ|giá thương lượng|xả hàng|mua 1 tặng 1|ghé|
        không cần kinh nghiệm|ib ngay|lh ngay|thiết kế web|chạy quảng cáo|khai trương|
        thu mua|bán nhà|mặt tiền|vay nhanh|vay tiền|
        cam kết lợi nhuận|cam kết hoàn vốn|hoàn vốn|lợi nhuận cao|tín hiệu miễn phí|vào nhóm|
        nhóm telegram|chuyên gia hướng dẫn|rút vốn|siêu dự án|số lượng có hạn|gọi ngay|
        inbox ngay|không cần vốn|làm tại nhà|cơ hội đầu tư|lấy ngay|bảo hành|
        cơ hội làm giàu|làm giàu|an toàn tuyệt đối|hàng nghìn người|hàng ngàn người|tham gia ngay|
        đăng ký ngay|nhận về|lãi mỗi tuần|lợi nhuận mỗi|không cần gặp mặt|không cần gặp|
        có tiền trong|duyệt nhanh|giải ngân nhanh|nhận tiền ngay|hoa hồng|chiết khấu|ưu đãi|
        số lượng có hạn|
        quảng cáo|đăng quảng cáo|cho em đăng|ship toàn quốc|giao hàng toàn quốc|nguyên chất|
        nhà trồng|đặt hàng|order|bán sỉ|bán lẻ giá|
        nhắn tin ngay|đặt bàn|đặt lịch|văn phòng tại|phí thấp|cần tuyển|tuyển gấp|giảm 10%|
        giảm 20%|giảm 30%|giảm 50%|thực đơn|vào tận nơi|có sổ|bán gấp|cho thuê|cần bán|cần mua|
        sale|săn sale|mã giảm giá|đăng ký học|khóa học|nhận ngay|miễn phí|
        không qua môi giới|miễn môi giới|miễn trung gian|sổ đỏ chính chủ|bán đất rẫy""",
    "int:report": """
        báo tin|xin báo|cho em báo|báo công an|em báo|tôi báo|báo cáo|tố giác|trình báo|phản ánh|
        nhờ công an|công an xuống|tới ngay|đến ngay|xuống ngay|xử lý|kiểm tra|điều tra|
        bắt giữ|bắt quả tang|triệt phá|để ý|báo để|báo giúp|cảnh báo|phát hiện|nghi|nghi là|
        hình như|
        nghe nói|ngăn chặn|làm rõ|vào cuộc|giúp em|giúp tôi|cứu|tôi thấy|em thấy|thấy có|
        xác minh giúp|điều tra giúp|tìm giúp|truy tìm|mong công an xác minh|mong công an điều tra|
        mong công an giúp|mong các anh giúp|nhờ công an xác minh|xin công an xác minh|
        tìm lại giúp""",
    "int:chain": """
        chia sẻ|share|cảnh giác|khắp các tỉnh|khắp nơi|cả nước|mọi người cùng biết|tin nóng|
        các mẹ|hãy chia sẻ|chia sẻ ngay|share ngay|người thân biết|lan truyền|nội tạng|
        gửi cho 10 người|gửi cho mọi người|nhận được tin nhắn này|chuyển tiếp|tin nhắn chuyển tiếp|
        mọi người chú ý|lưu ý các mẹ|cho nhau biết|chiêu trò mới|thủ đoạn mới|hãy cảnh giác|
        chia sẻ rộng rãi|cùng biết|gửi cho người thân|
        fw|fwd|forward|chuyển tiếp tin|báo cho ông bà|báo cho người thân|nhắn cho người thân|
        ai nhận được|sao chép|copy|đang lan truyền|truyền tay|đọc kỹ|tuyệt đối không bấm|đừng bấm|
        không nghe máy số lạ|cảnh báo chiêu|
        chia sẻ giúp|share giúp|sưu tầm|người dân cần|bà con cần|người dân nên|bà con nên|
        khuyến cáo|lợi dụng sơ hở|các đối tượng thường|đối tượng thường|nâng cao cảnh giác|
        đề cao cảnh giác|nhớ khóa cửa|mọi người cẩn thận|mọi người nhớ|ra đường nhớ|
        bà con cẩn thận|cẩn thận khi|không nên cố|thủ đoạn|chuyển tiếp:|tin đồn|đồn rằng""",
    # What the citizen saw themselves: a question about it is a tip ("có ai biết nhà ông X có
    # chứa đề không, tối nào cũng thấy người ra vào").
    "int:observed": """
        tối nào cũng|ngày nào cũng|đêm nào cũng|sáng nào cũng|thấy có|em thấy|tôi thấy|mình thấy|
        nhìn thấy|vừa thấy|đang có|từ sáng tới giờ|nãy giờ|mấy ngày nay|liên tục|cũng thấy|
        ra vào|nhà bên cạnh|hàng xóm|đầu hẻm|cuối hẻm|trong xóm""",
    "int:unrelated": """
        cắt điện|cúp điện|mất điện|cắt nước|mất nước|xổ số|kết quả xổ số|kqxs|giá cà phê|
        giá sầu riêng|thời tiết|tuyển sinh|đường nào|đi đường nào|chỉ đường|tìm người thân|
        từ thiện|thiện nguyện|nhắn nhầm|gửi nhầm|nhầm|báo cáo tuần|người yêu|làm quen|
        phóng viên|viết bài|đi chơi|mở cửa|sửa xe|page này|trang này có phải|mẹ ơi|tìm việc|
        giá vàng|tìm chủ|rơi ví|lũ năm nay|lớn lên|muốn làm công an|học sinh lớp|mưa quá|
        bóng đá hôm nay|chỗ nào|ai biết|quán nào|
        số điện thoại|còn ngập|qua được|đi được không|cầu tràn|tình hình mưa lũ|có đi được|
        hậu tạ|chó lạc|mèo lạc|đi lạc|giao hữu|trận bóng|nước máy|nước sinh hoạt|nước đục|
        cấp nước|tiền điện|tiền nước|
        trang facebook|xin link|link trang|fanpage|có bị sạt không|đường lên|đi được chưa|
        con mèo|mèo mướp|ai thấy báo em|ai thấy thì báo|
        có sạt lở không|có bị sạt lở không|có an toàn không|đi có an toàn|đường có bị|đường có sạt|
        còn đi được|xe qua được|nhắn nhầm người|nhắn lộn|gửi lộn|con về muộn|tối nay con|về ăn cơm|
        mưa đá|bến xe nào|bắt xe|có chuyến|mấy giờ có chuyến|chuyến xe|xe khách chạy được|
        ngập chưa|có ngập không|chạy được không|thực tập|xin thực tập|sinh viên năm""",
    # Advice to the public, the body of a pasted warning ("dặn con không mua kẹo của người lạ",
    # "tuyệt đối không cung cấp mã OTP"), not something the sender reports.
    "int:advice": """
        hãy|đừng|không nên|tuyệt đối không|dặn con|dặn các con|dặn các cháu|cần cảnh giác|
        không cung cấp|không chuyển tiền|không bấm|không click|không nghe máy|cẩn thận|
        khuyến cáo|nên cảnh giác|lưu ý|chú ý|nhắc nhở|phụ huynh lưu ý|bà con lưu ý""",
    # Hearsay: what the sender was told, not saw ("nghe nói", "sưu tầm"); with chain
    # wording it is a forwarded rumour, not a tip.
    "int:hearsay": """
        nghe nói|nghe đồn|nghe bảo|nghe người ta nói|sưu tầm|được biết|người ta đồn|đồn là|
        theo tin|theo thông tin""",
    # The police themselves as the subject: their page, an officer, their awareness clips,
    # their actions towards a citizen (detention, summons). A question about these is not a
    # procedure question; praise of a clip is feedback; a complaint about an action is feedback.
    "int:about_police": """
        trang này|page này|trang zalo này|trang thật|trang giả|trang chính thức|của công an thật|
        công an thật|tài khoản thật|anh công an|chị công an|chú công an|anh cảnh sát|
        chiến sĩ|cán bộ tên|tên gì|tên là gì|video tuyên truyền|clip tuyên truyền|
        bài tuyên truyền|buổi tuyên truyền|video của công an|clip của công an|bài đăng của|
        tuyên truyền|clip|video|livestream""",
    "int:police_action": """
        tạm giữ|tạm giam|bắt giam|bị bắt|bắt đi|mời làm việc|mời lên làm việc|mời lên|
        triệu tập|câu lưu|giữ xe|giữ giấy tờ|lập biên bản|xử phạt|thu giữ|khám nhà|khám xét|
        công an nói|công an bảo|cán bộ nói|cán bộ bảo|bị giữ|
        công an bắt|bị công an bắt|bị công an|vào thăm|xin vào thăm|thăm nuôi|gửi đồ ăn|gửi đồ|
        quyết định tạm giữ|lệnh bắt|lệnh tạm giữ|công an xuống|công an đến|xe chữa cháy|
        xe cứu hỏa|cảnh sát đến""",
    # The incident is over and the attackers have left: high, not critical, unless someone
    # is hurt.
    "urg:gone": """
        bỏ đi|đã bỏ đi|bỏ đi rồi|đi rồi|đã đi|chạy mất|đã chạy|rồ ga chạy|phóng xe chạy|
        tẩu thoát|chạy hướng|chạy về hướng|đã rời đi|rời đi|giải tán|đã giải tán|tan rồi|
        bỏ chạy mất""",
    # ---------------------------------------------------------------- urgency cues
    "urg:now": """
        đang|ngay bây giờ|bây giờ|giờ đang|hiện|hiện tại|hiện đang|lúc này|ngay lúc này|
        vẫn đang|vẫn còn|còn đang|đang diễn ra|tới giờ|đến giờ|từ chiều tới giờ|đêm nay|
        tối nay|đang ở|vẫn đứng|ngay trước|trực tiếp|chưa đi|chưa tắt|vẫn chưa|giờ vẫn|nãy giờ|
        từ nãy|đang làm|live|vẫn đậu|vẫn lượn|vẫn loanh quanh|còn lảng vảng|vẫn bị|
        vẫn đang bị|vẫn chưa được thả|chưa được thả|vẫn chưa về|đến giờ vẫn|tới giờ vẫn|
        giờ sáng rồi|giờ đêm rồi|giờ khuya rồi|giờ tối rồi|giờ trưa rồi|
        còn âm ỉ|âm ỉ|còn bốc khói""",
    "urg:just": """
        vừa|vừa mới|mới xong|mới đi|lúc nãy|khi nãy|hồi nãy|ban nãy|cách đây|phút trước|mới xảy ra|
        sáng nay|trưa nay|chiều nay|từ sáng|từ trưa|từ chiều|từ tối|hôm nay|
        sáng sớm|mới đây|phút|
        mới chạy qua|vừa chạy qua|mới đi qua|vừa đi qua|mới qua""",
    "urg:help": """
        nhanh|gấp|khẩn cấp|khẩn|cứu|cứu với|cứu em|cứu tôi|tới ngay|tới nhanh|xuống ngay|
        xuống liền|giúp với|kêu cứu|113|114|115|cấp cứu|ngay lập tức|nhanh lên|
        giúp tôi với|giúp em với|giúp con với|giúp cháu với""",
    "urg:danger": """
        cầm dao|con dao|rút dao|vung dao|dí dao|có dao|mang dao|dao phay|dao bấm|mã tấu|
        cầm kiếm|mang kiếm|cầm rựa|vác rựa|súng|tuýp sắt|cầm gậy|hung khí|chém|đâm vào|bị đâm|
        đâm chết|bắn chết|nổ súng|chảy máu|máu me|đầy máu|
        bị thương|thương nặng|bất tỉnh|ngất|ngất xỉu|bất động|co giật|sùi bọt mép|sốc|chết|
        tử vong|giết|đòi giết|chém chết|đốt nhà|tạt xăng|bốc cháy|đám cháy|cháy lớn|ngọn lửa|
        lửa bốc|lửa đang|phát nổ|tiếng nổ|đuối nước|
        chết đuối|chưa tìm thấy|rơi xuống biển|rơi xuống sông|sạt lở|bị vùi|mắc kẹt|bị kẹt|
        kẹt trong|kẹt dưới|bắt cóc|bắt đi|đón đi|mất tích|
        dọa nhảy|tự tử|
        khó thở|bị bỏng|gãy chân|gãy tay|trói tay|kiệt sức|khóc thét|cầm súng|đánh ngất|nằm đường|
        kêu cứu|khống chế|đòi chém|đang trốn|trốn trong|
        rượt|đuổi chém|nhốt|bị đánh|nguy hiểm tính mạng|tiền chuộc|đe dọa giết|
        lửa lớn|cháy to|cháy dữ|còn ở trong|người bên trong|người còn bên trong|
        còn người bên trong|còn kẹt|kẹt bên trong|chưa ra được|chưa thoát ra|vùi lấp|bị lấp|
        sạt xuống|đất sạt|bế đi|bế lên xe|chở đi mất|giữ lại trong|không cho ra|dọa đốt|đòi đốt|
        châm lửa|dội xăng|đổ xăng lên|
        bị chìm|chìm mất|chìm xuống|lặn tìm|mò tìm|bị đuối|cuốn trôi|nước cuốn trôi|cháy lan|
        lửa lan|chưa đưa ra|chưa cứu ra|chưa ra kịp|bị liệt|bị trói|trói vào|dây điện quất|
        lấy roi|đánh dã man|đánh tới tấp|lôi ra đánh|gậy sắt|ống sắt|cây sắt|đánh hội đồng|
        bế bé|bế cháu|bế đứa|ôm bé|bắt bé|bắt cháu|bắt đứa bé|lôi lên xe|kéo lên xe|đẩy lên xe|
        nằm bất động|không cử động|không thở|tím tái|ngộ độc|lên cơn|dọa chém|dọa đâm|tạt axit|
        axit|ngạt khói|ngạt thở|
        bế một|bế 1|gào khóc|chạy theo xe|đuổi theo xe|
        nước cuốn|tìm mà chưa thấy|tìm chưa thấy|chưa thấy đâu|
        chở đi khỏi|dụ dỗ|dụ đi|
        sóng úp|chưa vớt|chưa vớt lên|bị đè|đè dưới|đè lên người|sập đất|sập giếng|vùi dưới|
        kêu yếu|ngồi trên mái|nước lên nhanh|lũ lên nhanh|không ra được|trợn mắt|ngã ra|lịm đi|
        mê man|hôn mê|ngưng thở|tắt thở|nguy kịch|hấp hối|chưa thấy về|không thấy về|
        mất liên lạc|người lạ chở|té ao|té xuống|rơi xuống giếng|rơi xuống ao|ngã xuống ao|
        ngã xuống giếng|sét đánh|rò rỉ gas|rò gas|đang cháy|
        đón cháu|đón bé|xưng là dì|xưng là người nhà|thở dốc|lay không tỉnh|không tỉnh|
        gọi không tỉnh|máu chảy|nằm đó|té xe|ngã xe|chảy nhiều máu|mất nhiều máu|
        đâm người|chém người|
        dẫn đi mất|dắt đi mất|người lạ dẫn đi|người lạ dắt đi|người lạ bế|tìm khắp nơi|tìm khắp|
        ngộ độc|nôn ói|ói mửa|đau bụng dữ dội|
        cháy nhà|trong nhà còn|còn cụ|nằm liệt|uống thuốc diệt cỏ|uống thuốc chuột|
        uống thuốc trừ sâu|uống thuốc ngủ|thuốc diệt cỏ|đòi nhảy|định nhảy|nhảy xuống|dã man|
        đạp vào bụng|mang bầu|mang thai|chặt ngón tay|chặt tay|bắt lên xe|nằm ra đường|
        nằm giữa đường|nằm dưới đất|nằm im|dí đầu|dìm|không thấy đâu|
        tẩm xăng|tưới xăng|cầm bật lửa|bật lửa|can xăng|ngút trời|khói đen ngút|còn công nhân|
        công nhân bên trong|tông người|tông bà|tông ông|tông chết|cán chết|cán qua người|lạ chở|
        ông lạ chở|chở một đứa|chở đứa nhỏ|
        bể đầu|vỡ đầu|toác đầu|chảy máu đầu|bị thương ở đầu|đổ máu|
        lửa từ|bén lửa|lan sang nhà|
        đang chìm|đang bị chìm|chưa nổi lên|không thấy nổi|không biết bơi|đang vùng vẫy|
        chới với|đang đuối|bị lật|thuyền bị lật|ghe bị lật|lật thuyền|lật ghe|
        trói con|đang trói|trói lại đánh|trói vào cột|xích lại|bị xích|
        dụ lên xe|dụ lên|chở đi chưa xa|chạy chưa xa|bắt nhốt|bị nhốt|nhốt trong|
        khóc khản|khóc thảm thiết|ngập tới mái|ngập tới nóc|ngập gần mái|trèo lên mái|
        trèo lên gác|leo lên mái|leo lên nóc|nước lũ lên cao|lũ lên cao|xích chân|xích tay|
        ngã xỉu|té xỉu|bị xỉu|lạ đón|người lạ đón|bắt nó lên|kéo nó lên|lên xe để làm tin|
        bám can|bám phao|bám vào thuyền|bám mạn|trôi ngoài khơi|trôi dạt|đánh chìm|
        ống tuýp|gậy gộc|mang theo gậy|gậy gỗ|mã tấu|đưa lên ô tô|đưa lên xe|sang trung quốc|
        bán sang|xe sắp chạy|
        chưa ai chém ai|chưa chém ai|chưa đâm ai|ảnh bị trói""",
    # A threat to kill is critical whenever it is set for ("mai tao xuống chém chết cả nhà").
    "urg:kill_threat": """
        chém chết|giết chết|giết cả nhà|chém cả nhà|xuống chém|tới chém|đến chém|đòi giết|
        dọa giết|đe dọa giết|sẽ giết|giết mày|chém mày|đâm chết|bắn chết|cho chết|xử đẹp|
        thì giết|là giết|giết luôn|thì chém|là chém""",
    # A state that began earlier and still holds: "bị nhốt từ tối qua", "mất tích từ hôm qua"
    # (a reading rule drops the "past" cue inside these, see features.sentence_hits).
    "urg:since": """
        từ tối qua|từ hôm qua|từ đêm qua|từ sáng qua|từ trưa qua|từ chiều qua|
        từ sáng hôm qua|từ trưa hôm qua|từ chiều hôm qua|từ tối hôm qua|từ đêm hôm qua|
        từ hôm kia|từ tối hôm kia|từ mấy hôm trước|từ hôm trước|từ sáng tới giờ|
        từ sáng đến giờ|từ trưa tới giờ|từ trưa đến giờ|từ chiều tới giờ|từ chiều đến giờ|
        từ tối tới giờ|từ tối đến giờ|từ hôm qua tới giờ|từ hôm qua đến giờ|tới giờ chưa|
        đến giờ chưa|tới giờ vẫn|đến giờ vẫn|tới nay vẫn|đến nay vẫn""",
    # A hazard to passers-by that is there now (a live wire, a fallen tree across the road).
    "urg:hazard": """
        dây điện đứt|đứt dây điện|dây điện rơi|dây điện bị đứt|xẹt lửa|tóe lửa|chập nổ|
        điện giật|giật điện|rò điện|dây điện sà|cây đổ chắn|chắn ngang đường|
        nằm chắn đường|sụt lún giữa đường|hố sâu giữa đường|rò rỉ gas|rò gas|xì gas|
        mùi gas|gas bị rò""",
    # The danger is over: put out, settled, the injured treated.
    "urg:over": """
        dập xong|đã dập xong|đã được dập|dập tắt rồi|đã tắt hẳn|tắt hẳn rồi|
        đã giải quyết|giải quyết xong|đã hòa giải|hòa giải xong|đã làm hòa|đã đi khâu|
        khâu rồi|đã khâu|đã xuất viện|đã ổn|ổn rồi|đã yên|yên rồi|không ai sao|
        đã tìm thấy|tìm thấy rồi|đã được cứu|cứu được rồi|đã về nhà|về nhà rồi|
        đã dập tắt|đã được dập tắt|giải tán hết|đã được sửa|sửa xong""",
    # Something set for later: a deadline or a plan ("nếu mai không trả", "tuần sau cưới").
    "urg:future": """
        ngày mai|sáng mai|trưa mai|chiều mai|tối mai|đêm mai|nếu mai|hạn chót|
        tuần sau|tuần tới|tháng sau|tháng tới|năm sau|sắp tới|
        dự định|định tổ chức|sẽ tổ chức|vài hôm nữa|mấy hôm nữa|mấy ngày nữa|ra giêng|
        mai tao|mai tụi|mai sẽ|mai xuống|mai tới|mai đến""",
    # An adult held with no violence described (convention: held adult without violence is
    # high, with violence critical): the holding and the explicit "no beating".
    "urg:held": """
        bị giữ|giữ ở|giữ lại|giam giữ|bị nhốt|nhốt trong|không cho về|ko cho về|k cho về|
        không cho ra khỏi nhà|ko cho ra khỏi nhà|không cho ra ngoài|không cho đi|
        không cho nghỉ|mới thả|thì mới thả|giữ điện thoại|thu điện thoại|giữ cccd|giữ giấy""",
    "urg:no_violence": """
        không đánh đập|ko đánh đập|chưa đánh đập|không bị đánh đập|chưa thấy đánh|
        chưa thấy đánh đập|không có đánh|chưa bị đánh|không bị đánh|ko bị đánh|không đánh gì""",
    # Weapons (a subset of the danger cues): out with nobody hit is critical (convention).
    "urg:weapon": """
        cầm dao|rút dao|vung dao|dí dao|mang dao|dao phay|dao bấm|mã tấu|cầm kiếm|mang kiếm|
        cầm rựa|vác rựa|cầm súng|tuýp sắt|ống tuýp|cầm gậy|gậy gộc|gậy sắt|ống sắt|cây sắt|
        mang theo gậy|gậy gỗ|hung khí|cầm mã tấu|cầm xà beng""",
    # "đang" of a state that lasts (growing, flowering, preparing, advertising, recruiting):
    # normal, not in progress (convention); the "now" cue inside these phrases is dropped.
    "urg:state": """
        đang trồng|đang ra hoa|đang ra bông|đang chuẩn bị đám|đang chuẩn bị cưới|
        đang chuẩn bị gả|đang quảng cáo|đang tuyển|đang lan truyền|đang xiêu lòng|đang cho vay|
        đang nuôi|đang chăn|đang phải nghỉ học|đang siết nợ""",
    # Nearly: the danger passed without harm.
    "urg:near_miss": """
        suýt|suýt nữa|suýt trúng|suýt tông|xíu nữa|may mà|may là|hú hồn|thoát chết""",
    "urg:past": """
        hôm qua|tối qua|đêm qua|hôm trước|tuần trước|tháng trước|năm ngoái|năm trước|
        mấy hôm trước|hôm kia|
        lần trước|trước đây|đã lâu|mấy năm|tháng rồi|tuần rồi|năm rồi|dịp tết|đợt trước|
        mấy tháng trước|hồi tháng|từ tháng|tháng vừa rồi|hồi năm|đầu năm nay|sau mới biết|
        sau này mới biết|hôm bữa|bữa trước|mấy bữa trước|bữa hổm|hôm rồi""",
    "urg:recurring": """
        thường xuyên|hay|tối nào cũng|đêm nào cũng|ngày nào cũng|cuối tuần nào cũng|
        năm nào cũng|tuần nào cũng|chiều nào cũng|nhiều lần|thường hay|liên tục|mấy hôm nay|
        mấy tháng nay|
        mấy tuần nay|dạo này|lâu nay|kéo dài|suốt|từ lâu|hàng đêm|mỗi đêm|mỗi ngày|mỗi tối|
        hằng ngày|hàng ngày|mấy đêm nay|cả tháng|lâu rồi|như cơm bữa|công khai|ai cũng biết|
        mùa này|mùa nào cũng|cứ chiều tối|cứ cuối tuần|cứ đêm đến|cứ tối đến|cứ chiều đến""",
    "urg:risk": """
        nguy cơ|có thể|nếu có|sợ là|lo là|mùa mưa tới|sắp tới|phòng khi|đề phòng""",
    "urg:calm": """
        không sao|không ai bị thương|không bị sao|không bị thương|chỉ trầy|trầy xước|bị nhẹ|
        không nguy hiểm|đã dập tắt|dập gần xong|đã tắt|an toàn|chưa đánh ai|chưa thấy ai|
        không ai sao|chưa có ai""",
}

# Phrases that hide the shorter cues starting at the same word ("đăng ký" is not "đang").
_BLOCK = """đăng ký|chết máy|đăng tin|đăng bài|đăng nhập|đăng lên|đăng ảnh|đáng khen|kiểm tra|
rửa xe|tuyên truyền|
    bỏ chạy|chạy xe|chạy ra|chạy về|chạy trốn|dạo này|lừa đảo|kết hôn|kết quả|gây rối|
    ngày nào|mỗi ngày|hôm nay|bóng đá|bóng cười|nổ máy|đá bóng|đá gà|gấp đôi|gấp ba|gấp 2|gấp 3|
    gấp 4|gấp 5|gấp 10|phút sau|tiếng sau|rơi xuống|đi xuống|chạy xuống|xuống đường"""

# Words that negate the next cue ("không ai bị thương", "chưa có dao").
NEGATIONS = {"khong", "chua", "chang", "cha"}
# How a negation is written when typed with accents ("chữa cháy" holds no "chưa").
NEGATIONS_ACCENTED = {"không", "chưa", "chẳng", "chả", "hông", "hổng"}


class Hit(NamedTuple):
    group: str  # "cat:drugs"
    phrase: str  # as written in the lexicon, with diacritics ("ma túy")
    start: int  # token index
    negated: bool


def _compile() -> tuple[dict[tuple[str, ...], list[tuple[str, str]]], dict[str, tuple[int, ...]]]:
    table: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for group, text in _GROUPS.items():
        for phrase in text.replace("\n", "").split("|"):
            phrase = " ".join(phrase.split())
            if not phrase:
                continue
            key = tuple(vntext.tokens(phrase))
            bucket = table.setdefault(key, [])
            if (group, phrase) not in bucket and all(g != group for g, _ in bucket):
                bucket.append((group, phrase))
    for phrase in _BLOCK.replace("\n", "").split("|"):
        key = tuple(vntext.tokens(" ".join(phrase.split())))
        table.setdefault(key, []).insert(0, ("block", phrase))
    lengths: dict[str, set[int]] = {}
    for key in table:
        lengths.setdefault(key[0], set()).add(len(key))
    return table, {t: tuple(sorted(ls, reverse=True)) for t, ls in lengths.items()}


_TABLE, _LENGTHS = _compile()


def _phrase_accents() -> dict[str, tuple[str, ...]]:
    """Each phrase's words in accent-key form, where they line up with its folded tokens."""
    out: dict[str, tuple[str, ...]] = {}
    for entries in _TABLE.values():
        for _, phrase in entries:
            written = phrase.split()
            if len(written) == len(vntext.tokens(phrase)):
                out[phrase] = tuple(vntext.accent_key(w) for w in written)
    return out


# "đăng video" must not read as "đang" once accents are folded: when the citizen typed
# accents, a phrase only counts if the accents agree (see features.analyse).
PHRASE_ACCENTS = _phrase_accents()
_new = tuple.__new__  # NamedTuple's constructor is a slow Python-level call
GROUPS = tuple(_GROUPS)


def match(tokens: list[str], offset: int = 0) -> list[Hit]:
    """Every lexicon phrase found in the folded tokens (all lengths at every position); hit
    starts are counted from ``offset`` (the index of ``tokens[0]`` in the whole message)."""
    hits: list[Hit] = []
    n = len(tokens)
    for i, tok in enumerate(tokens):
        lengths = _LENGTHS.get(tok)
        if lengths is None:
            continue
        negated: bool | None = None
        for length in lengths:
            if i + length > n:
                continue
            entries = _TABLE.get(tuple(tokens[i : i + length]))
            if not entries:
                continue
            if negated is None:
                negated = (i >= 1 and tokens[i - 1] in NEGATIONS) or (
                    i >= 2 and tokens[i - 2] in NEGATIONS
                )
            blocked = entries[0][0] == "block"
            for group, phrase in entries:
                if group != "block":
                    hits.append(_new(Hit, (group, phrase, i + offset, negated)))
            if blocked:
                break
    return hits
