{#
    The key an event (赛项) is compared by, policy-rules.md §1.4: NFKC normalisation, then
    every white-space character removed.

    No portable SQL function does NFKC (DuckDB has nfc_normalize only), so nfkc_practical()
    applies the NFKC compatibility mappings of the blocks that occur in Chinese office files,
    generated from Python's unicodedata (Unicode 15):
      - one-character mappings (translate) from Latin-1, General Punctuation, super- and
        subscripts, Letterlike Symbols, Number Forms, Enclosed Alphanumerics, CJK Symbols,
        Enclosed CJK, CJK Compatibility (Ideographs), CJK compatibility/small forms and
        Halfwidth and Fullwidth Forms: Ａ→A, １→1, （→(, ＋→+, ｡→。, ①→1, Ⅰ→I, ㊀→一, U+3000→space …
      - multi-character mappings (replace) for … ‥ ‼ ℃ № ™, Roman numerals Ⅱ-ⅿ, ⑩-⑳, ⑴-⒇,
        ⒈-⒛ and ㈠-㉃.
    Case is kept, as NFKC keeps it. remove_white_space() then drops ASCII white space, every
    Unicode space separator (incl. U+3000, no-break and the U+2000 block), zero-width space,
    word joiner and BOM.
#}

{% macro normalize_event_name(expr) -%}
    {{ remove_white_space(nfkc_practical(expr)) }}
{%- endmacro %}

{%- macro nfkc_single_from() -%}
{% raw %}' ª²³µ¹º           ‑․  ⁰ⁱ⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₔₕₖₗₘₙₚₛₜℂℇℊℋℌℍℎℏℐℑℒℓℕℙℚℛℜℝℤΩℨKÅℬℭℯℰℱℳℴℵℶℷℸℹℼℽℾℿ⅀ⅅⅆⅇⅈⅉⅠⅤⅩⅬⅭⅮⅯⅰⅴⅹⅼⅽⅾⅿ①②③④⑤⑥⑦⑧⑨ⒶⒷⒸⒹⒺⒻⒼⒽⒾⒿⓀⓁⓂⓃⓄⓅⓆⓇⓈⓉⓊⓋⓌⓍⓎⓏⓐⓑⓒⓓⓔⓕⓖⓗⓘⓙⓚⓛⓜⓝⓞⓟⓠⓡⓢⓣⓤⓥⓦⓧⓨⓩ⓪　〶〸〹〺㉄㉅㉆㉇㉠㉡㉢㉣㉤㉥㉦㉧㉨㉩㉪㉫㉬㉭㉮㉯㉰㉱㉲㉳㉴㉵㉶㉷㉸㉹㉺㉻㉾㊀㊁㊂㊃㊄㊅㊆㊇㊈㊉㊊㊋㊌㊍㊎㊏㊐㊑㊒㊓㊔㊕㊖㊗㊘㊙㊚㊛㊜㊝㊞㊟㊠㊡㊢㊣㊤㊥㊦㊧㊨㊩㊪㊫㊬㊭㊮㊯㊰㋐㋑㋒㋓㋔㋕㋖㋗㋘㋙㋚㋛㋜㋝㋞㋟㋠㋡㋢㋣㋤㋥㋦㋧㋨㋩㋪㋫㋬㋭㋮㋯㋰㋱㋲㋳㋴㋵㋶㋷㋸㋹㋺㋻㋼㋽㋾豈更車賈滑串句龜龜契金喇奈懶癩羅蘿螺裸邏樂洛烙珞落酪駱亂卵欄爛蘭鸞嵐濫藍襤拉臘蠟廊朗浪狼郎來冷勞擄櫓爐盧老蘆虜路露魯鷺碌祿綠菉錄鹿論壟弄籠聾牢磊賂雷壘屢樓淚漏累縷陋勒肋凜凌稜綾菱陵讀拏樂諾丹寧怒率異北磻便復不泌數索參塞省葉說殺辰沈拾若掠略亮兩凉梁糧良諒量勵呂女廬旅濾礪閭驪麗黎力曆歷轢年憐戀撚漣煉璉秊練聯輦蓮連鍊列劣咽烈裂說廉念捻殮簾獵令囹寧嶺怜玲瑩羚聆鈴零靈領例禮醴隸惡了僚寮尿料樂燎療蓼遼龍暈阮劉杻柳流溜琉留硫紐類六戮陸倫崙淪輪律慄栗率隆利吏履易李梨泥理痢罹裏裡里離匿溺吝燐璘藺隣鱗麟林淋臨立笠粒狀炙識什茶刺切度拓糖宅洞暴輻行降見廓兀嗀塚晴凞猪益礼神祥福靖精羽蘒諸逸都飯飼館鶴郞隷侮僧免勉勤卑喝嘆器塀墨層屮悔慨憎懲敏既暑梅海渚漢煮爫琢碑社祉祈祐祖祝禍禎穀突節練縉繁署者臭艹艹著褐視謁謹賓贈辶逸難響頻恵𤋮舘並况全侀充冀勇勺喝啕喙嗢塚墳奄奔婢嬨廒廙彩徭惘慎愈憎慠懲戴揄搜摒敖晴朗望杖歹殺流滛滋漢瀞煮瞧爵犯猪瑱甆画瘝瘟益盛直睊着磌窱節类絛練缾者荒華蝹襁覆視調諸請謁諾諭謹變贈輸遲醙鉶陼難靖韛響頋頻鬒龜𢡊𢡄𣏕㮝䀘䀹𥉉𥳐𧻓齃龎︱︲︳︴︵︶︷︸︹︺︻︼︽︾︿﹀﹁﹂﹃﹄﹇﹈﹍﹎﹏﹐﹑﹒﹔﹕﹖﹗﹘﹙﹚﹛﹜﹝﹞﹟﹠﹡﹢﹣﹤﹥﹦﹨﹩﹪﹫！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～｟｠｡｢｣､･ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾠﾡﾢﾣﾤﾥﾦﾧﾨﾩﾪﾫﾬﾭﾮﾯﾰﾱﾲﾳﾴﾵﾶﾷﾸﾹﾺﾻﾼﾽﾾￂￃￄￅￆￇￊￋￌￍￎￏￒￓￔￕￖￗￚￛￜ￠￡￢￤￥￦￨￩￪￫￬￭￮'{% endraw %}
{%- endmacro -%}

{%- macro nfkc_single_to() -%}
{% raw %}' a23μ1o           ‐.  0i456789+−=()n0123456789+−=()aeoxəhklmnpstCƐgHHHhħIILlNPQRRRZΩZKÅBCeEFMoאבגדiπγΓΠ∑DdeijIVXLCDMivxlcdm123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0 〒十卄卅問幼文箏ᄀᄂᄃᄅᄆᄇᄉᄋᄌᄎᄏᄐᄑᄒ가나다라마바사아자차카타파하우一二三四五六七八九十月火水木金土日株有社名特財祝労秘男女適優印注項休写正上中下左右医宗学監企資協夜アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヰヱヲ豈更車賈滑串句龜龜契金喇奈懶癩羅蘿螺裸邏樂洛烙珞落酪駱亂卵欄爛蘭鸞嵐濫藍襤拉臘蠟廊朗浪狼郎來冷勞擄櫓爐盧老蘆虜路露魯鷺碌祿綠菉錄鹿論壟弄籠聾牢磊賂雷壘屢樓淚漏累縷陋勒肋凜凌稜綾菱陵讀拏樂諾丹寧怒率異北磻便復不泌數索參塞省葉說殺辰沈拾若掠略亮兩凉梁糧良諒量勵呂女廬旅濾礪閭驪麗黎力曆歷轢年憐戀撚漣煉璉秊練聯輦蓮連鍊列劣咽烈裂說廉念捻殮簾獵令囹寧嶺怜玲瑩羚聆鈴零靈領例禮醴隸惡了僚寮尿料樂燎療蓼遼龍暈阮劉杻柳流溜琉留硫紐類六戮陸倫崙淪輪律慄栗率隆利吏履易李梨泥理痢罹裏裡里離匿溺吝燐璘藺隣鱗麟林淋臨立笠粒狀炙識什茶刺切度拓糖宅洞暴輻行降見廓兀嗀塚晴凞猪益礼神祥福靖精羽蘒諸逸都飯飼館鶴郞隷侮僧免勉勤卑喝嘆器塀墨層屮悔慨憎懲敏既暑梅海渚漢煮爫琢碑社祉祈祐祖祝禍禎穀突節練縉繁署者臭艹艹著褐視謁謹賓贈辶逸難響頻恵𤋮舘並况全侀充冀勇勺喝啕喙嗢塚墳奄奔婢嬨廒廙彩徭惘慎愈憎慠懲戴揄搜摒敖晴朗望杖歹殺流滛滋漢瀞煮瞧爵犯猪瑱甆画瘝瘟益盛直睊着磌窱節类絛練缾者荒華蝹襁覆視調諸請謁諾諭謹變贈輸遲醙鉶陼難靖韛響頋頻鬒龜𢡊𢡄𣏕㮝䀘䀹𥉉𥳐𧻓齃龎—–__(){}〔〕【】《》〈〉「」『』[]___,、.;:?!—(){}〔〕#&*+-<>=\$%@!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~⦅⦆。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワンᅠᄀᄁᆪᄂᆬᆭᄃᄄᄅᆰᆱᆲᆳᆴᆵᄚᄆᄇᄈᄡᄉᄊᄋᄌᄍᄎᄏᄐᄑ하ᅢᅣᅤᅥᅦᅧᅨᅩᅪᅫᅬᅭᅮᅯᅰᅱᅲᅳᅴᅵ¢£¬¦¥₩│←↑→↓■○'{% endraw %}
{%- endmacro -%}

{%- macro nfkc_multi() -%}
    {{ return([
        ("‥", ".."),
        ("…", "..."),
        ("‼", "!!"),
        ("⁇", "??"),
        ("⁈", "?!"),
        ("⁉", "!?"),
        ("℃", "°C"),
        ("№", "No"),
        ("™", "TM"),
        ("Ⅱ", "II"),
        ("Ⅲ", "III"),
        ("Ⅳ", "IV"),
        ("Ⅵ", "VI"),
        ("Ⅶ", "VII"),
        ("Ⅷ", "VIII"),
        ("Ⅸ", "IX"),
        ("Ⅺ", "XI"),
        ("Ⅻ", "XII"),
        ("ⅱ", "ii"),
        ("ⅲ", "iii"),
        ("ⅳ", "iv"),
        ("ⅵ", "vi"),
        ("ⅶ", "vii"),
        ("ⅷ", "viii"),
        ("ⅸ", "ix"),
        ("ⅺ", "xi"),
        ("ⅻ", "xii"),
        ("⑩", "10"),
        ("⑪", "11"),
        ("⑫", "12"),
        ("⑬", "13"),
        ("⑭", "14"),
        ("⑮", "15"),
        ("⑯", "16"),
        ("⑰", "17"),
        ("⑱", "18"),
        ("⑲", "19"),
        ("⑳", "20"),
        ("⑴", "(1)"),
        ("⑵", "(2)"),
        ("⑶", "(3)"),
        ("⑷", "(4)"),
        ("⑸", "(5)"),
        ("⑹", "(6)"),
        ("⑺", "(7)"),
        ("⑻", "(8)"),
        ("⑼", "(9)"),
        ("⑽", "(10)"),
        ("⑾", "(11)"),
        ("⑿", "(12)"),
        ("⒀", "(13)"),
        ("⒁", "(14)"),
        ("⒂", "(15)"),
        ("⒃", "(16)"),
        ("⒄", "(17)"),
        ("⒅", "(18)"),
        ("⒆", "(19)"),
        ("⒇", "(20)"),
        ("⒈", "1."),
        ("⒉", "2."),
        ("⒊", "3."),
        ("⒋", "4."),
        ("⒌", "5."),
        ("⒍", "6."),
        ("⒎", "7."),
        ("⒏", "8."),
        ("⒐", "9."),
        ("⒑", "10."),
        ("⒒", "11."),
        ("⒓", "12."),
        ("⒔", "13."),
        ("⒕", "14."),
        ("⒖", "15."),
        ("⒗", "16."),
        ("⒘", "17."),
        ("⒙", "18."),
        ("⒚", "19."),
        ("⒛", "20."),
        ("㈠", "(一)"),
        ("㈡", "(二)"),
        ("㈢", "(三)"),
        ("㈣", "(四)"),
        ("㈤", "(五)"),
        ("㈥", "(六)"),
        ("㈦", "(七)"),
        ("㈧", "(八)"),
        ("㈨", "(九)"),
        ("㈩", "(十)"),
        ("㈪", "(月)"),
        ("㈫", "(火)"),
        ("㈬", "(水)"),
        ("㈭", "(木)"),
        ("㈮", "(金)"),
        ("㈯", "(土)"),
        ("㈰", "(日)"),
        ("㈱", "(株)"),
        ("㈲", "(有)"),
        ("㈳", "(社)"),
        ("㈴", "(名)"),
        ("㈵", "(特)"),
        ("㈶", "(財)"),
        ("㈷", "(祝)"),
        ("㈸", "(労)"),
        ("㈹", "(代)"),
        ("㈺", "(呼)"),
        ("㈻", "(学)"),
        ("㈼", "(監)"),
        ("㈽", "(企)"),
        ("㈾", "(資)"),
        ("㈿", "(協)"),
        ("㉀", "(祭)"),
        ("㉁", "(休)"),
        ("㉂", "(自)"),
        ("㉃", "(至)")
    ]) }}
{%- endmacro -%}

{% macro nfkc_practical(expr) -%}
    {{ return(adapter.dispatch('nfkc_practical')(expr)) }}
{%- endmacro %}

{% macro default__nfkc_practical(expr) -%}
    {%- set ns = namespace(sql='translate(' ~ expr ~ ', ' ~ nfkc_single_from() ~ ', ' ~ nfkc_single_to() ~ ')') -%}
    {%- for source, target in nfkc_multi() -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", '" ~ source ~ "', '" ~ target ~ "')" -%}
    {%- endfor -%}
    {{ ns.sql }}
{%- endmacro %}

{% macro duckdb__nfkc_practical(expr) -%}
    {{ default__nfkc_practical('nfc_normalize(' ~ expr ~ ')') }}
{%- endmacro %}

{% macro remove_white_space(expr) -%}
    {{ return(adapter.dispatch('remove_white_space')(expr)) }}
{%- endmacro %}

{% macro default__remove_white_space(expr) -%}
    replace(replace(replace(replace(replace(replace(replace(
        {{ expr }}, ' ', ''), '　', ''), chr(9), ''), chr(10), ''), chr(13), ''), chr(160), ''), chr(8203), '')
{%- endmacro %}

{% macro duckdb__remove_white_space(expr) -%}
    regexp_replace(
        {{ expr }},
        '[\s\p{Z}\x{0085}\x{180E}\x{200B}\x{200C}\x{200D}\x{2060}\x{FEFF}]',
        '',
        'g'
    )
{%- endmacro %}
