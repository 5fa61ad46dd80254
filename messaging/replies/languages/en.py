"""English."""

CODE = "en"
PHRASES = {
    "opt_out": [
        r"unsubscribe(?: me)?",
        r"opt(?:ed|ing)? (?:me )?out",
        r"(?:remove|delete|take) me (?:off|from) (?:your|the|this|all) (?:mailing |e-?mail |contact |distribution )?"
        r"(?:lists?|database|system|records|mailings?)",
        r"take me off",
        r"remove (?:me|my (?:details|data|e-?mail|address|contact details))",
        r"delete (?:my|all my) (?:data|details|personal data|information|profile|e-?mail address)",
        r"stop (?:e-?mailing|contacting|messaging|spamming|writing to|sending (?:me )?(?:e-?mails|messages|"
        r"these))(?: me)?",
        r"(?:do not|don't|never|please don't|please do not) (?:contact|e-?mail|message|write to|"
        r"reach out to) me(?: again)?",
        r"(?:do not|don't|never) (?:contact|e-?mail|message|reach out to) me again",
        r"(?:no|don't send(?: me)?|do not send(?: me)?) (?:more|further|any more) (?:e-?mails|messages|mails)",
        r"leave me alone",
        r"this is spam",
        r"(?:not|never) to (?:be )?contact(?:ed)? again",
    ],
    "later": [
        r"(?:ping|contact|email|call) me then|reach out then|get back to me then",
        r"(?:maybe|perhaps|possibly|probably|might be|could be) (?:later|in the future|next year|in a (?:few|"
        r"couple of) "
        r"(?:months|years)|down the (?:road|line)|another time)",
        r"(?:ask|contact|ping|try|reach out to|check (?:back )?with|get back to|circle back (?:to|with)|write to|"
        r"e-?mail) me "
        r"(?:again (?:in|after|next|around|later|towards|at|early)|(?:in|after) (?:a few|a couple|some|several|\d+|two|"
        r"three|six|\w+ months|the (?:summer|autumn|fall|new year|spring))|later|next (?:year|quarter|spring|summer|"
        r"autumn|fall|winter|month)|in (?:january|february|march|april|june|july|august|september|october|november|"
        r"december))",
        r"(?:reach|check|circle|touch) (?:back|base) (?:with me )?(?:in|after|next|later|around)",
        r"(?:in|after) (?:a few|a couple of|some|several|\d+|two|three|four|five|six|nine|twelve|half a) "
        r"(?:months|years|quarters|year)",
        r"(?:early |later |end of |beginning of )?next (?:year|quarter|spring|summer|autumn|fall|winter)",
        r"after (?:the|my) (?:summer|holidays|holiday|vacation|parental leave|project|launch|probation|bonus|new year)",
        r"in the (?:new )?year",
        r"not (?:right )?now(?=\s*(?:[.!,;]|$|but|thanks|though|—|-))",
        r"not (?:at the moment|at this (?:time|point|stage)|for now|this year)(?=\s*(?:[.!,;]|$|but|thanks|though))",
        r"(?:the )?timing (?:is|isn't|is not) (?:not )?(?:right|good|great|ideal)",
        r"bad timing|wrong time for me",
        r"keep me in mind|keep (?:my (?:details|cv|resume|profile|contact)|in touch)|stay in touch",
        r"(?:reach out|get in touch|contact me) (?:again )?(?:in the future|later|another time)",
    ],
    "not_interested": [
        r"(?:going to |gonna |will |i'll |i'd rather |prefer to |i'm staying|i'll be staying)?stay (?:where i am|put)",
        r"(?:not|no longer) (?:really |currently |at all |remotely |particularly |that |too )?interested",
        r"uninterested|disinterested",
        r"not at all",
        r"nope|nah",
        r"no,? thanks?(?: you)?|thanks?(?: you)?,? but no|no thank you",
        r"(?:i'm|i am) (?:very |really |quite )?(?:happy|content|settled|happily employed|committed)"
        r"(?: where i am| in my (?:current )?(?:role|job|position|team)| at)",
        r"(?:i'll|i will|i have to|i must|i need to|have to|going to|gonna|i'd rather|i'm going to) (?:pass|decline)",
        r"pass on this|i'll pass|respectfully decline|must decline",
        r"not (?:looking|open to|considering|searching|on the market|interested in moving|a good fit|the right fit|"
        r"for me)",
        r"(?:just |recently |already )?(?:accepted|signed|started) (?:an(?:other)? |a new |a )?(?:offer|role|"
        r"position|job)",
        r"(?:won't|will not|wouldn't|would not) be (?:interested|moving|switching|considering)",
        r"👎|🙅|❌",
    ],
    "interested": [
        r"what does the (?:interview |hiring )?process look like|when (?:can|could|shall) we (?:talk|chat|speak|meet)",
        r"interested",
        r"(?:i'm|i am|i'd be|i would be|would be|very|definitely|really) (?:keen|curious|open to (?:it|this|that|a))",
        r"tell me more|send (?:me )?(?:more |the |some )?(?:details|info|information|the (?:job )?description|"
        r"the jd|the spec)",
        r"(?:more|some) (?:details|info|information),? please|share (?:more |some )?details",
        r"(?:let's|happy to|love to|i'd love to|glad to|keen to|i'd like to|would like to) (?:chat|talk|connect|"
        r"meet|speak|"
        r"discuss|learn more|hear more|set up|schedule|have a (?:call|chat))",
        r"sounds (?:really |very |quite |super )?(?:great|good|interesting|exciting|intriguing|promising|like a great)",
        r"(?:i'm|i am) (?:free|available) (?:on|for|at|this|next|tomorrow|monday|tuesday|wednesday|thursday|friday)",
        r"(?:set up|schedule|book|arrange) a (?:call|chat|meeting|time|interview)",
        r"count me in|why not|let's do it|i'm in|go ahead",
        r"(?:my (?:cv|resume|résumé) is attached|attached (?:is |you'll find )?my (?:cv|resume|résumé)|"
        r"here is my (?:cv|resume))",
        r"what (?:time )?works for you|when (?:are|would) you (?:be )?(?:free|available)",
        r"(?:call|ring|phone) me",
        r"👍|👌|🙌|✅|🤝",
    ],
    "question": [
        r"(?:can|could) you (?:tell|let) me|i'd like to know|i was wondering|i wonder|what's the|what is the|"
        r"what are the",
        r"who is the (?:client|company|employer|hiring manager)|which company|what company|how (?:much|many|long|big)",
    ],
}
NEGATORS = ("not", "no", "never", "nor", "hardly", "n't")
YES = ("yes", "yeah", "yep", "yup", "sure", "absolutely", "definitely", "of course", "gladly", "sure thing")
NO = ("no", "nope", "nah", "no way")
MONTHS = (
    "january", "february", "march", "april", "(?-i:May)", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
SEASONS = {
    r"after (?:the )?summer|end of (?:the )?summer|in the autumn|in the fall|next autumn|next fall": 9,
    r"after (?:the )?(?:christmas|holidays|new year)|(?:early |beginning of |start of )?next year|in the new year": 1,
    r"in the spring|next spring": 3,
    r"in the summer|next summer": 6,
    r"in the winter|next winter": 12,
}
