"""Words that introduce reported speech, and words that name roles."""

from __future__ import annotations

CUE_WORDS: frozenset[str] = frozenset(
    """said says say saying told tells tell added adds adding wrote writes write stated states declared declares
    insisted insists noted notes warned warns argued argues asked asks replied replies explained explains
    continued continues posted posts tweeted tweets announced announces claimed claims stressed stresses
    emphasized emphasised emphasizes emphasises acknowledged acknowledges admitted admits conceded concedes
    suggested suggests recalled recalls concluded concludes cautioned cautions urged urges predicted predicts
    complained complains countered counters responded responds remarked remarks observed observes maintained
    maintains vowed vows pledged pledges promised promises affirmed affirms reiterated reiterates repeated repeats
    lamented laments quipped quips joked jokes boasted boasts demanded demands alleged alleges contended contends
    declared assured assures mused muses shouted shouts yelled told confirmed confirms denied denies
    echoed echoes objected objects protested protests conceded
    disclosed discloses recounted
    recounts describes described accused accuses criticized criticised criticizes criticises welcomed
    welcomes thanked thanks called calls read reads telling adding writing warning noting arguing insisting
    stressing explaining declaring recalling responding replying posting vowing answered answers call describe
    scoffed scoffs snapped snaps sighed sighs muttered mutters whispered whispers retorted retorts interjected
    interjects exclaimed exclaims grumbled grumbles marvelled marveled marvels""".split()
)

SPEECH_NOUNS: frozenset[str] = frozenset(
    "statement post message interview speech address remarks briefing conference tweet video letter".split()
)

ROLE_NOUNS: frozenset[str] = frozenset(
    """president minister chancellor secretary envoy ambassador spokesman spokeswoman spokesperson adviser advisor
    aide negotiator diplomat leader premier official officials chief head commander general mayor governor senator
    representative director chairman chairwoman chair counterpart emissary representative press deputy king pope
    prime foreign defense defence intelligence security""".split()
)

# Words of a description that point to a role: "the top diplomat" -> foreign minister / secretary of state.
ROLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "diplomat": ("foreign minister", "secretary of state", "diplomat", "foreign policy chief", "high representative"),
    "envoy": ("envoy", "negotiator", "emissary", "representative"),
    "negotiator": ("negotiator", "envoy", "delegation"),
    "spokesman": ("spokesman", "spokeswoman", "spokesperson", "press secretary"),
    "spokeswoman": ("spokeswoman", "spokesperson", "spokesman", "press secretary"),
    "spokesperson": ("spokesperson", "spokeswoman", "spokesman", "press secretary"),
    "aide": ("aide", "adviser", "advisor", "chief of staff"),
    "adviser": ("adviser", "advisor", "aide"),
    "advisor": ("advisor", "adviser", "aide"),
    "leader": ("president", "prime minister", "chancellor", "leader", "premier"),
    "premier": ("prime minister", "premier"),
    "chief": ("chief", "head"),
    "pontiff": ("pope", "pontiff"),
    # "the official": someone holding office ("a deputy head of the city military administration")
    "official": ("official", "head", "deputy", "minister", "administration", "spokes", "secretary", "governor", "mayor",
                 "adviser", "advisor", "aide", "envoy", "ambassador", "director", "commissioner", "chief"),
    "head": ("head", "chief", "president", "leader"),
    "senator": ("senator", "senate", "federation council", "upper house"),
    "lawmaker": ("lawmaker", "mp", "member of parliament", "deputy", "duma", "rada", "congressman", "congresswoman",
                 "senator", "representative", "legislator"),
    "legislator": ("legislator", "lawmaker", "mp", "member of parliament", "deputy", "senator", "representative"),
}

# Verbs whose object answers next: "a reporter asked Stubb whether ..."
ASKING: frozenset[str] = frozenset({"asked", "asks", "questioned", "pressed", "quizzed"})
PRONOUNS: dict[str, str] = {"he": "m", "him": "m", "she": "f", "her": "f", "they": "p", "it": "n"}

FEMALE_HINTS: frozenset[str] = frozenset(
    """ms mrs madam spokeswoman chairwoman congresswoman businesswoman stateswoman first-lady queen duchess
    karoline kaja ursula giorgia annalena maria mariya marie anna hanna olena yulia yuliia iryna julia kamala
    hillary nancy mette kristi tulsi elise nikki samantha linda victoria viktoriya oksana olga svetlana valentina
    natalia nataliya tatiana tetiana lyudmila liudmyla maria zakharova ekaterina yekaterina elena alena alina
    sarah susan elizabeth liz theresa angela emily jane helen claire catherine kate anne amy laura rachel rebecca
    jennifer jessica lisa lucy margaret mary patricia ruth sophie sophia teresa yvette agnes barbara beata
    kristina christina kirsten magdalena ewa joanna petra sanna jacinda roberta marjorie tammy jeanne caroline
    nicole michelle danielle elise simone jane christine stephanie melanie valerie nathalie charlotte louise
    josephine brigitte kristie katie alice grace rose elaine janine bernadette yvonne joanne lorraine frances
    ingrid astrid margrethe mette-marie ellen karen kathleen eileen maureen doris iris lois ruth judith esther
    miriam deborah hannah leah sarah rachel rebecca halyna olha oksana iryna svitlana lolwah helena marit kateryna
    tatyana natalya irina galina valentyna marina maryna larysa larisa nadiia nadezhda daria darya anastasia
    viktoriia ksenia sofia zoya vera nina tamara lidia raisa ludmila inna alla lesia""".split()
)

# First names that end in -a but belong to men (Slavic and others); other -a names are taken as women's.
MALE_A_NAMES: frozenset[str] = frozenset(
    """mykola nikita ilya illia luka foma kuzma sasha misha grisha vanya kolya petya tolya vova dima zhora joshua
    luca andrea jona garcia costa da silva oleksa sava mykyta danila gavrila kuzma savva yona"""
    .split()
)

# Heads of subject phrases that can speak: people by role or trade, groups, institutions and documents.
SPEAKER_NOUNS: frozenset[str] = frozenset(
    """source official diplomat analyst expert observer reporter journalist resident soldier commander people
    lawmaker senator member delegation delegate negotiator team government ministry office kremlin statement
    report communique document text letter embassy agency council committee parliament party union court army
    military forces police spokesperson spokesman spokeswoman woman man worker leader voter mother father son
    daughter wife husband brother sister child person officer staff aide adviser advisor president minister envoy
    chancellor secretary ambassador premier chief head director chairman chairwoman chair general admiral mayor
    governor administration department service ministry headquarters commission operator company firm bank
    spokesmen residents officials diplomats analysts experts leaders sources lawmakers negotiators
    critic supporter opponent campaigner activist economist researcher scientist historian professor lawyer
    survivor witness neighbour neighbor friend colleague counterpart host founder owner executive manager
    investor trader pilot doctor nurse teacher student priest bishop cardinal patriarch pope monitor inspector
    watchdog regulator prosecutor judge tribunal network broadcaster newspaper outlet channel publication
    white house street state platform post video interview""".split()
)

# Common men's first names in this story's coverage (other names are left without a gender unless the text says).
MALE_NAMES: frozenset[str] = frozenset(
    """volodymyr vladimir donald steve steven stephen jared marco dmitry dmitri dmytro yuri yury yuriy sergei sergey
    serhiy serhii kirill andriy andrii andrei andrey rustem friedrich emmanuel keir mark karol alexander recep
    viktor antonio rafael dan daniel james john michael david robert richard thomas william joseph charles
    christopher matthew anthony paul george kevin brian edward ronald timothy jason jeffrey ryan jacob gary
    nicholas eric jonathan larry justin scott frank benjamin gregory samuel raymond patrick peter pietro jean
    olaf boris ivan oleksandr oleksiy oleh mykhailo mikhail maxim maksym taras vitaliy vitali denys denis
    ihor igor petro pavlo pavel nikolai mykola roman yevgeny evgeny yevhen valery valeriy anatoly leonid
    gennady vasyl vasily bohdan arseniy herman hermann lars jens olaf matteo giorgio sergio luis jose juan
    carlos pedro miguel lindsey richard chuck mitch jd joe hunter keith tony rishi nigel david alexei aleksei
    alexey ahmed mohammed mohammad muhammad ali hakan tayyip abdullah khalid tamim vitalii oleksii yurii mykyta
    danylo kostiantyn kyrylo yaroslav ruslan artem anatolii valerii hennadii yevhenii illia ilya stanislav
    vladyslav volodymyr anton oleg artyom stepan grigory hryhorii konstantin""".split()
)
