"""The labelled set: how sellers really ask, and what they type that is no question.

Each question is written the way a seller types it in a group or a private chat: not the
FAQ's own wording, with typos, missing spaces, chat fillers, and Chinese mixed with
English. Each carries the market the seller is in (the matcher searches that market's
entries) and the id of the built-in entry that answers it. ``UNANSWERABLE`` are real
questions no built-in entry answers (the matcher should say "no good match" for most).
``NOT_QUESTIONS`` are valid answers to steps and greetings, which must not be taken as
questions. ``tests/flows/questions/test_questions_labelled.py`` holds the targets;
``bench/bench_questions.py`` prints the figures.
"""

from __future__ import annotations

from typing import NamedTuple


class Labelled(NamedTuple):
    market: str
    locale: str
    expected: str
    text: str


def _rows(market: str, locale: str, rows: str) -> list[Labelled]:
    """``expected | text`` lines into labelled questions."""
    found = []
    for line in rows.strip().splitlines():
        expected, text = (part.strip() for part in line.split("|", 1))
        found.append(Labelled(market, locale, expected, text))
    return found


ENGLISH = _rows(
    "uk",
    "en",
    """
    invite_code_required | is the invite code mandatory for cross border sellers
    invite_code_required | do uk local companies also need an invitation code?
    invite_code_required | can i skip the invite code step
    invite_code_required | no invite code, can I still register??
    invite_code_where | where can i get the invitation code from
    invite_code_where | who do i ask for an invite code
    invite_code_where | my invite code says expired what now
    invite_code_where | how to obtain invte code
    uk_phone_required | do I really need a UK number
    uk_phone_required | can i register with my china mobile number?
    uk_phone_required | is +86 phone ok for the shop
    uk_phone_required | must the phone be british
    uk_sim | how do i buy a uk sim card from china
    uk_sim | will my uk sim card expire if i dont use it
    uk_sim | giffgaff sim how to keep it active?
    crossborder_individual | can i open cross border shop as a person without company
    crossborder_individual | is individual allowed for cross-border?
    shops_per_company | how many stores can one company register
    shops_per_company | can one business license have multiple shops
    price_cap_uk | whats the max price for cross border products
    price_cap_uk | why is my price above 134.5 rejected
    price_cap_uk | price limit for uk crossborder?
    price_cap_uk | what is the highest price i can list in uk
    documents_uk | what paperwork do i need to apply in the uk
    documents_uk | which documents for uk local business
    documents_uk | documents required for crossborder application?
    companies_house_number | where do i find my companies house number
    companies_house_number | what's my company registration number in uk
    companies_house_number | my companies house no. is rejected
    uscc | where is the unified social credit code on the license
    uscc | what is USCC
    business_scope | my business scope does not include cosmetics, is that a problem
    prohibited_uk | am i allowed to sell kitchen knives in uk
    prohibited_uk | which products are banned on tiktok shop uk
    address_proof | what can i use as proof of address
    address_proof | is a 6 month old bank statement ok for address proof
    review_time | how long until my application is approved
    review_time | how long does approval take
    review_time | when do i get the review result
    rejected | my application got rejected why
    rejected | what should i do after my application is rejected
    rejected | can i resubmit after rejection
    edit_answers | i typed the wrong company name, how do i change it
    edit_answers | can i go back and correct an answer
    edit_answers | can i edit my application after i submitted it
    restart | how to start again from the beginning
    change_language | how can i change the bot language to chinese
    change_language | switch language please how
    my_data | what personal data do you store
    delete_data | how do i delete my account data
    status | how do i check my application progress
    status | where was i, how to continue
    bulk_upload | can i upload products in bulk with a spreadsheet
    bulk_upload | where is the csv template
    product_images | how many pictures per product
    product_images | what image size do product photos need
    product_title | can i write the product title in chinese
    shop_name | can the shop name be changed after approval
    creator_accounts | how many tiktok creator accounts can be linked to a shop
    phone_email_unused | can i reuse the email from my other shop
    another_shop | how do i register a second shop
    document_photo | is a pdf ok for the licence
    document_photo | why was my id photo not accepted
    """,
)

ENGLISH_ID = _rows(
    "id",
    "en",
    """
    documents_id | what do i need to open an indonesian shop
    nik | where is my nik on the ktp
    npwp | do I need NPWP or is NIK enough
    npwp | how much tax is withheld in indonesia
    nib | how do i get an NIB
    cod_id | can buyers pay cash on delivery
    whitelist_id | do i need whitelist for indonesia
    price_id | can i use decimals in rupiah prices
    id_citizen | can a foreigner open an individual shop in indonesia
    ktp_shops | can i open 2 shops with one ktp
    id_phone | which phone number should i use for indonesia
    """,
)

CHINESE = _rows(
    "uk",
    "zh_Hans",
    """
    invite_code_required | 跨境一定要有邀请码吗
    invite_code_required | 没邀请码能不能申请
    invite_code_required | 本土店要邀请码么
    invite_code_required | invite code 必须要吗
    invite_code_where | 邀请码去哪里拿
    invite_code_where | 邀请码找谁要啊
    invite_code_where | 邀请码提示过期了咋办
    invite_code_where | 邀请马在哪领取
    uk_phone_required | UK phone 一定要吗
    uk_phone_required | 一定要英国号码吗？国内手机不行吗
    uk_phone_required | 可以用+86的手机号注册吗
    uk_phone_required | 手机号必须是英国的吗
    uk_phone_required | 英国手机号是必须的吗
    uk_sim | 英国sim卡在哪买
    uk_sim | 英国号码多久不用会被回收
    uk_sim | giffgaff的卡怎么保号
    crossborder_individual | 个人能做英国跨境吗
    crossborder_individual | 没有营业执照可以开店吗
    shops_per_company | 一个执照最多开几家店
    shops_per_company | 同一家公司能开多个小店吗
    price_cap_uk | 跨境商品最高定价多少
    price_cap_uk | 价格为什么不能超过134.5
    price_cap_uk | 英国站限价是多少英镑
    price_cap_uk | 商品价格上线是多少
    documents_uk | 英国跨境入驻要准备什么材料
    documents_uk | 需要提交哪些资质文件
    documents_uk | 入驻英国要哪些资料啊
    companies_house_number | 英国公司注册号在哪看
    companies_house_number | companies house 编号是什么
    uscc | 统一社会信用代码在执照哪里
    uscc | 信用代码一直提示错误怎么办
    uscc | 社会信用代码要填多少位
    business_scope | 经营范围不包含服装可以卖吗
    prohibited_uk | 英国能卖刀具吗
    prohibited_uk | 哪些商品英国不让卖
    review_time | 审核一般多久
    review_time | 审核结果多久出来
    review_time | 提交以后多久能通过
    review_time | 审和要几天
    rejected | 被驳回了是什么原因
    rejected | 审核没通过怎么办
    rejected | 驳回以后还能再提交吗
    edit_answers | 公司名字填错了怎么改
    edit_answers | 提交了还可以修改吗
    edit_answers | 怎么回到上一步
    restart | 我想从头再来怎么操作
    change_language | 怎么把语言改成中文
    change_language | 能换成英文界面吗
    my_data | 你们存了我什么数据
    delete_data | 怎么删掉我的所有信息
    status | 现在进度到哪了
    status | 怎么继续之前没填完的
    bulk_upload | 商品可以批量导入吗
    bulk_upload | 有没有上传商品的excel模板
    product_images | 商品主图有什么要求
    product_images | 每个商品最多传几张图片
    product_title | 标题能用中文吗
    shop_name | 店铺名字后面还能改吗
    creator_accounts | 小店最多绑几个达人号
    phone_email_unused | 邮箱已经被别的店用过了怎么办
    another_shop | 我想再开一个店怎么弄
    document_photo | 营业执照可以发pdf吗
    document_photo | 执照照片为什么不通过
    """,
)

CHINESE_ID = _rows(
    "id",
    "zh_Hans",
    """
    documents_id | 印尼开店需要哪些资料
    cod_id | 印尼能做货到付款吗
    whitelist_id | 印尼要不要白名单
    npwp | 印尼的税是多少
    id_citizen | 中国人可以开印尼个人店吗
    price_id | 印尼盾价格能带小数吗
    """,
)

INDONESIAN = _rows(
    "id",
    "id",
    """
    documents_id | syaratnya apa aja kak buat daftar
    documents_id | dokumen yg dibutuhin apa aja min
    documents_id | buka toko perorangan perlu apa saja
    documents_id | persyaratan toko untuk perusahaan apa
    nik | nik itu yang mana ya
    nik | nik saya ga bisa diinput kenapa
    nik | nomor nik ada dimana di ktp
    npwp | harus punya npwp gak?
    npwp | kalau belum punya npwp gimana
    npwp | potongan pajak pph 22 berapa persen
    npwp | npwp bisa diganti nik ga
    nib | nib itu apa kak
    nib | cara bikin nib dimana
    nib | nib didapat dari mana
    cod_id | bisa cod gak kak
    cod_id | gimana caranya aktifin bayar ditempat
    cod_id | apakah cod bisa untuk semua wilayah
    whitelist_id | perlu masuk whitelist ga min
    whitelist_id | cara daftar whitelist gimana
    price_id | harga boleh pakai desimal?
    price_id | harga minimal produk berapa
    price_id | harga maksimal berapa rupiah
    id_citizen | orang asing bisa daftar toko?
    id_citizen | wna boleh buka toko perorangan ga
    ktp_shops | 1 ktp bisa buat berapa toko
    ktp_shops | boleh 2 toko pakai ktp yang sama?
    id_phone | nomor hp harus nomor indonesia?
    id_phone | no hp saya ditolak terus kenapa
    review_time | berapa lama verifikasinya
    review_time | kapan hasil review keluar kak
    review_time | proses peninjauan berapa hari
    review_time | brp lama nunggu disetujui
    rejected | kenapa pendaftaran saya ditolak
    rejected | kalau ditolak harus gimana
    rejected | boleh daftar lagi setelah ditolak?
    edit_answers | salah ketik nama toko, gimana ubahnya
    edit_answers | bisa edit data setelah kirim?
    edit_answers | gimana cara balik ke langkah sebelumnya
    restart | cara mulai dari awal lagi gimana
    change_language | cara ganti bahasa ke bahasa indonesia
    my_data | data apa saja yang kalian simpan
    delete_data | gimana cara hapus data saya
    status | sudah sampai tahap mana pendaftaran saya
    status | cara lanjutin pendaftaran yang kemarin
    bulk_upload | bisa upload produk banyak sekaligus?
    bulk_upload | ada template excel untuk produk?
    bulk_upload | upload produk massal gimana caranya
    product_images | foto produk minimal berapa
    product_images | ukuran foto produk berapa pixel
    product_title | judul produk minimal berapa karakter
    shop_name | nama toko bisa diubah ga nanti
    shop_name | nama toko maks berapa huruf
    creator_accounts | bisa tautkan berapa akun kreator
    phone_email_unused | email udah dipake toko lain, gimana
    another_shop | gimana cara daftar toko kedua
    document_photo | foto ktp ditolak kenapa ya
    document_photo | boleh kirim pdf?
    """,
)

INDONESIAN_UK = _rows(
    "uk",
    "id",
    """
    uk_phone_required | apakah harus pakai nomor inggris
    invite_code_required | kode undangan wajib ga kak
    price_cap_uk | batas harga lintas negara inggris berapa
    """,
)


UNANSWERABLE: tuple[Labelled, ...] = (
    *_rows(
        "uk",
        "en",
        """
        - | what's the weather in london tomorrow
        - | who won the football match yesterday
        - | do you know a good accountant in shenzhen
        - | what time is it in jakarta
        - | can you recommend a logistics partner
        """,
    ),
    *_rows(
        "uk",
        "zh_Hans",
        """
        - | 今天晚上吃什么
        - | 你们公司在哪个城市
        - | 直播带货怎么起号
        - | 有没有推荐的海外仓
        - | 明天开会几点
        """,
    ),
    *_rows(
        "id",
        "id",
        """
        - | besok hujan ga ya
        - | jam berapa sekarang
        - | ada rekomendasi ekspedisi murah?
        - | siapa pemenang pertandingan semalam
        - | dimana beli kopi enak
        """,
    ),
)

NOT_QUESTIONS: tuple[tuple[str, str], ...] = tuple(
    (locale, text.strip())
    for locale, block in (
        (
            "en",
            """
            ACME TRADING LTD
            Can Do Trading Ltd
            What Hi Fi Limited
            Bright Home Goods Ltd
            SC123456
            09876543
            OC301234
            14/03/2019
            2019-03-14
            07911 123456
            +44 7911 123456
            shop@example.com
            yes
            no
            ok
            y
            hi
            hello
            thanks
            good morning
            Stainless Steel Water Bottle 750ml
            Wireless Bluetooth Earbuds with Charging Case
            Cotton T-Shirt for Men, Black, Size L
            12.99
            £19.50
            30 x 20 x 10
            0.5
            2 kg
            TTS-UK-2026
            ABCD-1234
            done
            next
            skip
            """,
        ),
        (
            "zh_Hans",
            """
            深圳市星辰云帆贸易有限公司
            广州哪吒科技有限公司
            义乌市小商品有限公司
            91110000802100433B
            9144030071526726XG
            你好
            您好
            好的
            是的
            可以
            对
            谢谢
            收到
            明白了
            好的谢谢
            张伟
            李娜
            07911123456
            ＋４４ ７９１１ １２３４５６
            """,
        ),
        (
            "id",
            """
            PT Maju Jaya Abadi
            CV Sinar Terang
            PT Apa Adanya Sejahtera
            3174055012900001
            01.855.081.4-412.000
            9120001234567
            0812-3456-7890
            +62 812 3456 7890
            halo
            hai kak
            selamat pagi
            ya
            iya
            boleh
            bisa
            oke
            terima kasih
            siap kak
            Sepatu Sneakers Pria Casual Putih Ukuran 42
            Kaos Polos Katun Premium Warna Hitam
            Rp150.000
            150000
            Budi Santoso
            """,
        ),
    )
    for text in block.strip().splitlines()
)

SECOND_ROUND: tuple[Labelled, ...] = (
    *_rows(
        "uk",
        "en",
        """
        invite_code_required | is there any way to join without an invitation
        invite_code_where | lost my invite code, who can send me a new one
        uk_phone_required | will a hong kong number work for registration
        uk_sim | do uk sim cards get cancelled when unused
        price_cap_uk | can i list a product at 200 pounds as crossborder seller
        documents_uk | list of docs for a uk limited company please
        review_time | any idea how many days the approval takes
        rejected | they declined my application, what next
        edit_answers | i entered the wrong number, can i fix it
        bulk_upload | is there a spreadsheet to fill in for products
        product_images | do the photos need a white background
        delete_data | please remove all my information
        companies_house_number | what is the crn they ask for
        uscc | the 18 digit code on the license, where is it
        prohibited_uk | are bb guns allowed
        """,
    ),
    *_rows(
        "uk",
        "zh_Hans",
        """
        invite_code_required | 没有邀请码是不是就开不了店
        invite_code_where | 招商经理会给邀请码吗
        uk_phone_required | 国内的手机号能用来开英国店吗
        uk_sim | 英国电话卡怎么充值保号
        price_cap_uk | 跨境商品能卖200英镑吗
        documents_uk | 开英国跨境店要准备啥
        review_time | 一般几天出结果
        rejected | 申请被拒了下一步怎么做
        edit_answers | 信息填错了能不能改
        bulk_upload | 商品太多了能不能用表格一次传
        product_images | 图片要白底吗
        delete_data | 我要注销，把我的数据删了
        uscc | 执照上的18位代码是哪个
        shops_per_company | 一个公司能开5个店吗
        change_language | 界面怎么换成中文
        """,
    ),
    *_rows(
        "id",
        "id",
        """
        documents_id | mau daftar toko, dokumennya apa saja ya
        nik | nik harus 16 angka ya?
        npwp | saya belum punya npwp, masih bisa daftar?
        nib | nib bikin di oss ya kak?
        cod_id | pembeli bisa bayar di tempat ga
        whitelist_id | toko saya harus di whitelist dulu?
        price_id | harga pakai sen boleh?
        review_time | sudah 3 hari belum ada hasil, normalnya berapa lama
        rejected | pengajuan ditolak, alasannya apa ya
        edit_answers | data yang sudah dikirim bisa dikoreksi?
        bulk_upload | ada file excel buat upload produk?
        product_images | gambar produk maksimal berapa mb
        delete_data | tolong hapus data pribadi saya
        id_phone | nomor wa boleh dipakai?
        ktp_shops | ktp saya sudah dipakai toko lain, bisa buka lagi?
        """,
    ),
)
"""Written after a first tuning as held-out questions; their misses then led to indexing
the answers and to the glossary, so they are part of the tuned set now."""

QUESTIONS: tuple[Labelled, ...] = (
    *ENGLISH,
    *ENGLISH_ID,
    *CHINESE,
    *CHINESE_ID,
    *INDONESIAN,
    *INDONESIAN_UK,
    *SECOND_ROUND,
)

HELD_OUT: tuple[Labelled, ...] = (
    *_rows(
        "uk",
        "en",
        """
        uk_phone_required | my company is in shenzhen, do i still need british mobile
        invite_code_where | where to request code for invitation
        price_cap_uk | is there a ceiling on how much i can charge per item
        review_time | been waiting 5 days for the verification, is that normal
        rejected | got a rejection email, what went wrong
        bulk_upload | 300 products to add, one by one is too slow, other way?
        shops_per_company | max number of stores under one chinese company
        uk_sim | does giffgaff work from china
        documents_uk | what do i have to send as a sole trader in uk
        status | how far along is my registration
        """,
    ),
    *_rows(
        "uk",
        "zh_Hans",
        """
        uk_phone_required | 没有英国号码怎么办，用香港的行吗
        invite_code_required | 英国本土公司也要邀请码？
        price_cap_uk | 商品定价有没有限制
        review_time | 资料交上去要等多长时间
        rejected | 为啥审核不给过
        bulk_upload | 几百个商品一个个传太慢了
        uscc | 18位那个代码从哪看
        prohibited_uk | 电动工具英国能上架吗
        product_title | 商品名可以写中文不
        edit_answers | 邮箱写错了想改一下
        """,
    ),
    *_rows(
        "id",
        "id",
        """
        documents_id | mau jualan di tiktok shop, perlu siapin apa aja
        npwp | npwp wajib ga buat perorangan
        cod_id | pembeli bisa bayar pas barang sampai?
        review_time | udah seminggu belum di acc, biasanya berapa hari
        rejected | kok pengajuan saya gagal terus
        price_id | harga 15.500,50 bisa?
        id_phone | pakai nomor luar negeri bisa ga
        product_images | foto produk harus background putih?
        bulk_upload | upload produk lewat file bisa ga
        nib | nib buat apa sih
        """,
    ),
)
"""Written last, after every weight, the threshold, the FAQ's keywords and the glossary were
fixed, and never tuned on: the honest estimate of how the matcher does on new wording."""
