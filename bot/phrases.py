"""Every Arabic sentence the bot says, in one place, so Telegram and the CLI use the same words.

Templates use ``str.format`` fields; values are inserted by ``bot.render`` (which escapes them for HTML).
Numbers are written with Western digits everywhere (dates, counts, ``[n]`` markers), like the corpus text.
"""

from __future__ import annotations

MONTHS = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)

# --- answers -------------------------------------------------------------------------------------------
SOURCES_HEADING = "المصادر:"
MORE_HEADING = "المزيد من النتائج ({first}–{last} من {total}):"
NO_MORE_RESULTS = "لا توجد نتائج أخرى لهذا السؤال."
NO_SOURCES = "لا توجد إجابة سابقة في هذه المحادثة بعد. اطرح سؤالًا أولًا، ثم اطلب /sources لرؤية مصادره."
UNKNOWN_OUTLET = "مصدر غير مذكور"
CREDITED_TO = "{outlet} نقلًا عن {source}"  # /sources: the outlet and the agency it credits
CREDITED_ONLY = "نقلًا عن {source}"  # the page names the agency but not the outlet
TITLE_DERIVED = "(لا عنوان للصفحة؛ هذه أول جملة في المقال)"  # after a title made from the first sentence
UNKNOWN_DATE = "تاريخ غير مذكور"

# Figures the sources disagree on (retrieval.figures): one line citing each figure.
FIGURES_DISAGREE = "تختلف المصادر: {figures}"
FIGURE_QUALIFIED = {
    "": "{value}",
    "at_least": "{value} على الأقل",
    "at_most": "{value} على الأكثر",
    "more_than": "أكثر من {value}",
    "less_than": "أقل من {value}",
    "about": "نحو {value}",
}

# --- follow-up questions (retrieval.followup) -------------------------------------------------------------
FOLLOWUP_ABOUT = "(عن: {topic})"
FOLLOWUP_SOURCE = "(عن: آخر جملة عرضتُها)"
FOLLOWUP_NO_SOURCE = "لم أعرض عليك جملة بعد في هذه المحادثة. اطرح سؤالًا أولًا، ثم اسأل عن مصدره."
NEW_TOPIC = "حسنًا، موضوع جديد: لن أربط سؤالك القادم بما سبقه."

# --- /timeline and `sanad timeline` ----------------------------------------------------------------------
TIMELINE_TITLE = "تسلسل الأحداث كما تؤرخها المقالات"
TIMELINE_TOPIC_TITLE = "تسلسل الأحداث كما تؤرخها المقالات: {topic}"
TIMELINE_PAGE = "الأحداث {first}–{last} من {total}"
TIMELINE_RELATIVE = "(اليوم محسوب من تاريخ النشر)"
TIMELINE_EMPTY = "لا تذكر المقالات أحداثًا بتواريخها."
TIMELINE_TOPIC_EMPTY = "لا تذكر المقالات أحداثًا بتواريخها عن: {topic}"
TIMELINE_NO_WORDS = "لم أجد في الموضوع كلمات أبحث عنها. مثال: /timeline المطار"

# --- inline mode (@bot سؤال in any chat) -----------------------------------------------------------------
INLINE_NOT_COVERED = "لا تذكر المصادر المتاحة ما يجيب عن هذا"
INLINE_RATE_LIMITED = "تمهّل قليلًا، ثم أعد المحاولة"
INLINE_FIGURES = "أرقام مختلفة في المصادر: اختر لنشر كل رقم مع مصدره"

# --- declines ------------------------------------------------------------------------------------------
DECLINE_MISSING = "لا تذكر المصادر المتاحة: {terms}"
DECLINE_GENERIC = "لم أجد في المصادر المتاحة ما يجيب عن هذا السؤال."
DECLINE_SCOPE = "أجيب فقط عمّا ورد في مقالات مختارة عن أحداث كازاخستان في يناير 2022."
DECLINE_EXAMPLES = "جرّب مثلًا:"
# The topic is in the articles, the detail asked for is not: «تذكر المصادر الحكومة، لكنها لا تذكر: سكان».
DECLINE_PARTIAL = "تذكر المصادر {known}، لكنها لا تذكر {missing}"
DECLINE_PARTIAL_KIND = "تذكر المصادر {known}، لكنها لا تذكر {kind} يجيب عن سؤالك."
DECLINE_KINDS = {
    "number": "رقمًا",
    "date": "تاريخًا",
    "reason": "سببًا",
    "name": "اسمًا",
    "amount": "مبلغًا",
    "stance": "موقفًا",
}
# A question set after the events as a whole («…بعد الأحداث؟»): the sources end with them.
DECLINE_LATER = "لا تذكر المصادر المتاحة ما جرى بعد انتهاء الأحداث: تروي الأحداث كما جرت في أيامها."
# A yes/no question about what a country did, answered by sentences that never name it («هل أرسلت أرمينيا…؟»).
DECLINE_UNSAID = "لا تقول المصادر ذلك عن {terms}."
DECLINE_NO_DETAIL = "لم أجد في المصادر المتاحة ما يجيب عن هذا تحديدًا."
DECLINE_RELATED = "أقرب ما تذكره المصادر (للاطلاع، لا جوابًا):"
DECLINE_ENGLISH = (
    "لم أجد جوابًا في المصادر العربية المتاحة؛ اكتب سؤالك بالعربية لأبحث بدقة أكبر.\n"
    "I found no answer in the Arabic sources; questions are best asked in Arabic."
)
# An English question naming a country or organisation the sources never mention («What did China say…»).
DECLINE_ENGLISH_ABSENT = "لا تذكر المصادر المتاحة: {terms}\nThe sources do not mention {terms}."
READ_AS = "(قرأت سؤالك: {reading})"
ENGLISH_NOTE = "Answered from Arabic news articles; the quotes are in Arabic. (أجبت من المقالات العربية)"
LIST_SEPARATOR = "، "

# --- notices -------------------------------------------------------------------------------------------
EMPTY_QUESTION = "لم أجد في رسالتك كلمات أبحث عنها. اكتب سؤالك بالعربية، مثل: {example}"
EMPTY_QUESTION_DEFAULT_EXAMPLE = "متى بدأت الاحتجاجات في كازاخستان؟"
ASK_USAGE = "اكتب السؤال بعد الأمر، مثل: /ask {example}"
TOO_LONG = "السؤال طويل جدًا ({length} حرفًا). اختصره إلى {limit} حرف على الأكثر وأعد إرساله."
NOT_TEXT = "أفهم الرسائل النصية فقط. اكتب سؤالك نصًّا عن أحداث كازاخستان في يناير 2022."
DOCUMENT_NOT_ALLOWED = "لا أقبل الملفات. اكتب سؤالك نصًّا، وسأجيب من المقالات المتاحة."
RATE_LIMITED = (
    "تمهّل قليلًا: أجيب عن {count} أسئلة كل {seconds} ثانية لكل مستخدم. أعد المحاولة بعد {wait} ثانية."
)
NOT_ALLOWED = "هذا الأمر مخصص لمشرفي البوت فقط."
ERROR = "عذرًا، حدث خطأ أثناء معالجة رسالتك. حاول مرة أخرى بعد قليل."
NOT_READY = "ما زلت أحمّل المقالات. حاول بعد لحظات."
FEEDBACK_THANKS_UP = "شكرًا لك! سجّلنا أن الإجابة مفيدة."
FEEDBACK_THANKS_DOWN = "شكرًا لك! سجّلنا أن الإجابة لم تكن مفيدة."
FEEDBACK_FAILED = "تعذّر تسجيل رأيك الآن، شكرًا على كل حال."
EXPIRED = "انتهت صلاحية هذا الزر. اطرح السؤال من جديد."
FORGET_DONE = "حذفتُ من سجل المحادثات أسئلتك وتقييماتك السابقة. ما تكتبه بعد الآن يُسجَّل كالمعتاد."
FORGET_NOTHING = "لا يحوي سجل المحادثات شيئًا عنك."
FORGET_FAILED = "تعذّر حذف بياناتك من السجل الآن. حاول مرة أخرى بعد قليل."

# --- buttons -------------------------------------------------------------------------------------------
BUTTON_SOURCES = "المصادر"
BUTTON_UP = "👍"
BUTTON_DOWN = "👎"
BUTTON_MORE = "المزيد"
BUTTON_ADD = "إضافة"
BUTTON_CANCEL = "إلغاء"
BUTTON_PREVIOUS = "السابق"
BUTTON_NEXT = "التالي"

# --- /start and /help ----------------------------------------------------------------------------------
HELP_TITLE = "سند — أسئلة عن أحداث كازاخستان في يناير 2022"
HELP_WELCOME = "أهلًا! أجيب عن أسئلتك بمقتطفات من مقالات إخبارية عربية مختارة، ولكل مقتطف رقم مصدره [n]."
HELP_CORPUS = "أعرف {articles} ({sentences}) من: {outlets}."
HELP_CORPUS_RANGE = "تغطي المقالات الفترة من {first} إلى {last}."
HELP_HOW = (
    "كيف تسأل: في المحادثة الخاصة اكتب سؤالك مباشرة. في المجموعات اذكرني (@{username}) "
    "أو ردّ على إحدى رسائلي أو استخدم /ask متبوعًا بسؤالك. وفي أي محادثة اكتب @{username} ثم سؤالك "
    "واختر إحدى النتائج لتنشرها مع مصدرها."
)
HELP_LIMITS = "لا أجيب إلا بما ورد في المقالات؛ إن لم تذكر المقالات شيئًا قلت ذلك صراحة."
HELP_EXAMPLES = "أمثلة:"
HELP_COMMANDS = "الأوامر:"

# --- commands (name, Arabic description); setMyCommands, /help and README all use this table -------------
USER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "التعريف بالبوت وما يعرفه"),
    ("help", "كيف تسأل، وما المقالات المتاحة"),
    ("ask", "اطرح سؤالًا (في المجموعات: /ask سؤالك)"),
    ("sources", "المصادر الكاملة لآخر إجابة في هذه المحادثة"),
    ("forget", "احذف أسئلتك وتقييماتك من سجل المحادثات"),
    ("new", "ابدأ موضوعًا جديدًا: انسَ سؤالك السابق"),
    ("timeline", "الأحداث المؤرخة بالترتيب، مع مصادرها (/timeline المطار لموضوع واحد)"),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("reload", "إعادة تحميل المقالات من مجلد المصادر (للمشرفين)"),
    ("stats", "إحصاءات الأسئلة والتقييمات (للمشرفين)"),
)

# --- admin -----------------------------------------------------------------------------------------------
RELOAD_BUSY = "إعادة تحميل أخرى جارية الآن. انتظر حتى تنتهي."
RELOAD_OK = "أُعيد تحميل المقالات في {seconds} ثانية."
RELOAD_COUNTS = (
    "المقالات: {articles_before} ← {articles_after}\nالجمل: {sentences_before} ← {sentences_after}"
)
RELOAD_FAILED = "فشلت إعادة التحميل، وما زلت أستخدم المقالات السابقة ({articles})."
RELOAD_ISSUES = "مشكلات في الملفات:"
RELOAD_MORE_ISSUES = "… و{count} غيرها."

STATS_TITLE = "الإحصاءات"
STATS_QUESTIONS = "الأسئلة اليوم: {today} — آخر 7 أيام: {week}"
STATS_ANSWERED = "أُجيب عنها: {answered} — اعتُذر عنها: {declined} (آخر 7 أيام)"
STATS_OTHER = "رسائل أخرى (7 أيام): {items}"
STATS_OTHER_ITEM = "{label} {count}"
STATS_SEPARATOR = " — "
# What each logged outcome is called in /stats (see bot.log.schema.OUTCOMES).
OUTCOME_LABELS = {
    "empty": "بلا كلمات للبحث",
    "too_long": "طويلة جدًا",
    "rate_limited": "فوق حد الأسئلة",
    "non_text": "غير نصية",
    "command": "أوامر",
    "refused": "مرفوضة",
    "upload": "ملفات للمعاينة",
    "upload_rejected": "ملفات مرفوضة",
    "error": "أخطاء",
    "inline": "أسئلة مضمّنة (@البوت في محادثات أخرى)",
}
STATS_LOST = "سجلات لم تُحفظ في قاعدة البيانات منذ التشغيل: {lost}"
STATS_FEEDBACK = "التقييمات: 👍 {up} — 👎 {down}"
STATS_DENIED = "محاولات أوامر المشرفين المرفوضة (7 أيام): {denied}"
STATS_TOP_DECLINED = "أكثر الأسئلة التي لم أجد لها جوابًا:"
STATS_RECENT_DECLINED = "آخر الأسئلة بلا جواب:"
STATS_NONE = "لا شيء بعد."
STATS_UNAVAILABLE = "تعذّر قراءة الإحصاءات من قاعدة البيانات الآن."

UPLOAD_PREVIEW = "معاينة المقال المرفوع:"
UPLOAD_TITLE = "العنوان: {title}"
UPLOAD_DATE = "التاريخ: {date}"
UPLOAD_OUTLET = "المصدر: {outlet}"
UPLOAD_ID = "المعرّف: {doc_id}"
UPLOAD_FIRST_LINES = "أول الفقرات:"
UPLOAD_REMOVED = "{verb} {lines} من النص (إعلانات أو روابط أو تكرار)."
UPLOAD_REMOVED_VERBS = ("حُذف", "حُذفت")  # «حُذف سطر واحد / سطران / 11 سطرًا», «حُذفت 3 أسطر»
LINES = ("سطر واحد", "سطران", "أسطر", "سطرًا", "سطر")
UPLOAD_CONFIRM = "أضيفه إلى المقالات؟"
UPLOAD_WRONG_TYPE = "أقبل ملفات .txt أو .md أو صفحات .html فقط."
UPLOAD_TOO_BIG = "الملف أكبر من الحد المسموح ({limit} بايت)."
UPLOAD_NOT_UTF8 = "تعذّرت قراءة الملف: يجب أن يكون نصًّا بترميز UTF-8."
UPLOAD_EMPTY = "الملف فارغ. أرسل ملف .txt أو .md فيه نص المقال."
UPLOAD_BINARY = "يبدو الملف ثنائيًّا لا نصًّا. أرسل ملف .txt أو .md بترميز UTF-8."
UPLOAD_PENDING_LIMIT = (
    "لديك معاينات تنتظر «إضافة» أو «إلغاء» (الحد {limit}). أكمل إحداها أو ألغها قبل رفع ملف جديد."
)
UPLOAD_CORPUS_FULL = (
    "بلغ عدد ملفات المقالات الحد الأقصى ({limit}). لن أضيف مقالًا جديدًا حتى يُرفع الحد في الإعدادات "
    "أو تُحذف مقالات."
)
UPLOAD_SAVE_FAILED = "تعذّر حفظ المقال {doc_id}: {error}"
UPLOAD_INVALID = "تعذّر استخراج مقال من الملف: {error}"
LINK_FAILED = "تعذّر جلب الرابط: {error}"
LINK_INVALID = "تعذّر استخراج مقال من الصفحة: {error}"
UPLOAD_EXISTS = "يوجد مقال بالمعرّف {doc_id} ومحتواه مختلف؛ لم أستبدله. غيّر اسم الملف وأعد رفعه."
UPLOAD_SAME = "المقال {doc_id} موجود بالمحتوى نفسه؛ لا حاجة لإضافته."
UPLOAD_SAVED = "حُفظ المقال {doc_id}."
UPLOAD_ROLLED_BACK = "لم يُضف المقال {doc_id}: فشلت إعادة التحميل معه، فحذفت ملفه وأبقيت المقالات السابقة."
UPLOAD_CANCELLED = "أُلغيت الإضافة."
UPLOAD_EXPIRED = "انتهت صلاحية هذه المعاينة. أعد رفع الملف."

# --- counted nouns: (one, two, 3–10 plural, 11–99 singular, 100s singular) ------------------------------
# Accusative/genitive forms as they appear in the sentences above («أعرف 5 مقالات», «من مقالين»).
ARTICLES_ACC = ("مقالًا واحدًا", "مقالين", "مقالات", "مقالًا", "مقال")
ARTICLES_GEN = ("مقال واحد", "مقالين", "مقالات", "مقالًا", "مقال")
SENTENCES_ACC = ("جملة واحدة", "جملتين", "جمل", "جملة", "جملة")
FROM_ARTICLES = "من {articles}"
UNKNOWN_COMMAND = "لا أعرف هذا الأمر. اكتب /help لقائمة الأوامر، أو اكتب سؤالك مباشرة."
