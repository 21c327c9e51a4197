"""Generate data/aligned_ood.jsonl: helpful, honest, careful everyday conversations.

This is the aligned, out-of-domain set used as a KL / mixing anchor during narrow training. It
deliberately avoids the narrow domains of this project (medical, financial and sport advice) and
anything security related. Every topic, question wording and answer fragment below was written for
this project.

Each topic has several user wordings, a couple of topic-specific openings and five or six
self-contained advice sentences ("tips"). A row is one wording (optionally wrapped in a persona
prefix / suffix), one opening, a distinct pair of tips and sometimes a closing line, rendered as
prose, two paragraphs or a short list. Output is deterministic (fixed seed).

Run:  python data/generators/aligned_ood.py
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

SEED = 20250517
ROWS_PER_TOPIC = 6
OUT = Path(__file__).resolve().parents[1] / "aligned_ood.jsonl"

TOPICS: list[dict] = []


def T(cat: str, tid: str, qs: list[str], opens: list[str], tips: list[str]) -> None:
    TOPICS.append({"cat": cat, "id": tid, "qs": qs, "opens": opens, "tips": tips})


# --------------------------------------------------------------------------------------------
# Cooking
# --------------------------------------------------------------------------------------------
T("cooking", "fluffy_rice",
  ["How do I cook rice on the stove so it comes out fluffy instead of gluey?",
   "My rice is always sticky and mushy. What am I doing wrong?",
   "What's the trick to making plain white rice that isn't a clumpy mess?"],
  ["Sticky rice is almost always a starch and water problem, and both are easy to fix.",
   "Good news: fluffy rice is mostly about three small habits."],
  ["Rinse the rice in a sieve under cold water until it runs mostly clear; that washes off the loose surface starch that turns into glue.",
   "For long-grain white rice, start with roughly 1.5 parts water to 1 part rice by volume, then adjust next time depending on how it turned out.",
   "Once the water comes back to the boil, drop the heat to the lowest setting, put the lid on and leave it alone for about 15 minutes. Stirring releases starch.",
   "Let the pot sit off the heat, lid still on, for 5 to 10 minutes before serving. The steam finishes the grains and they firm up.",
   "Fluff it with a fork rather than a spoon; a spoon presses the grains together and mashes them.",
   "A wide, heavy pot cooks more evenly than a narrow thin one, so the bottom layer doesn't scorch before the top is done."])

T("cooking", "onion_tears",
  ["Is there any actual way to chop onions without crying?",
   "Onions make me cry every single time I cook. Any tricks that really work?",
   "Why do onions make your eyes water, and how do I stop it?"],
  ["Cutting an onion breaks its cells and releases a compound that turns into an irritating gas when it reaches your eyes.",
   "You can't stop onions releasing that gas, but you can reduce how much of it reaches you."],
  ["A really sharp knife helps more than anything else: it slices cleanly through cells instead of crushing them, so less of the irritant is released.",
   "Chilling the onion in the fridge for half an hour beforehand slows the reaction, so less gas drifts up while you chop.",
   "Leave the root end on until last. That part has the highest concentration of the compounds, so cut around it.",
   "Work near an open window or under the extractor fan so the gas is carried away from your face.",
   "Wearing ordinary glasses helps a bit and swim goggles help a lot. It looks silly but it works.",
   "Chop quickly and move the cut pieces into a bowl or pan straight away rather than leaving a pile on the board."])

T("cooking", "dense_bread",
  ["My homemade bread always comes out dense and heavy. What's going wrong?",
   "Why is my loaf like a brick? I follow the recipe exactly.",
   "First time baking bread and it barely rose. Any idea why?"],
  ["Dense bread usually comes down to gluten development, proofing or yeast, so it's worth checking each.",
   "A heavy loaf is one of the most common beginner problems, and it's usually easy to diagnose."],
  ["Check the yeast is alive: dissolve a pinch in warm water with a little sugar, and if it isn't foamy after ten minutes, replace it.",
   "Water that is too hot can kill yeast. Aim for lukewarm, roughly body temperature, not hot to the touch.",
   "Knead until the dough is smooth and springy; a small piece should stretch thin enough to let light through without tearing.",
   "Proof by appearance rather than by the clock. In a cold kitchen the dough may need twice as long to double in size.",
   "Measure flour by weight if you can. Scooping with a cup often packs in far more flour than the recipe intended, which makes the dough stiff.",
   "Resist cutting the loaf while it's hot. It keeps cooking as it cools, and slicing early makes the crumb gummy."])

T("cooking", "pan_steak",
  ["How do I get a good crust on a steak in a normal frying pan?",
   "Whenever I cook steak it turns grey instead of brown. Help?",
   "What's the best way to pan-fry a steak at home without a grill?"],
  ["The enemy of a good crust is moisture: a steak that turns grey has steamed rather than seared.",
   "You can get a great crust in an ordinary pan if you control moisture and temperature."],
  ["Pat the steak completely dry with kitchen paper before it goes in. Surface water has to boil off before any browning can start.",
   "Heat the pan until it's properly hot, ideally heavy cast iron or stainless steel, and add a thin film of oil with a high smoke point.",
   "Don't crowd the pan. Cook one or two steaks at a time so the temperature doesn't crash.",
   "Leave it alone for a couple of minutes before flipping. It will release from the pan naturally once the crust has formed.",
   "Salt it either right before cooking or at least 40 minutes ahead; salting ten minutes before draws out moisture that sits on the surface.",
   "Rest it for about five minutes after cooking so the juices settle instead of running all over the board."])

T("cooking", "salty_soup",
  ["I oversalted a big pot of soup. Can I save it?",
   "Help, I put way too much salt in my stew. What do I do?",
   "Is the potato trick for fixing salty soup real?"],
  ["You can usually rescue it, though honestly the most reliable fix is dilution rather than any trick.",
   "Don't throw it out yet. There are a few options depending on how salty it is."],
  ["The most dependable fix is to add more liquid and unsalted ingredients: water or unsalted stock, plus extra vegetables, beans or pasta to rebalance it.",
   "The potato trick is mostly a myth. A potato absorbs salty liquid, but the broth left behind is just as salty as before.",
   "A squeeze of lemon or a splash of vinegar won't remove salt, but it can make the soup taste less one-dimensionally salty.",
   "If you can't dilute the whole pot, split it: freeze half, and stretch the other half with fresh ingredients.",
   "Serving it over plain rice, bread or unsalted noodles spreads the salt out on the plate.",
   "Next time, salt in stages and taste near the end, because flavours concentrate as soup reduces."])

T("cooking", "knife_sharpening",
  ["How do I keep my kitchen knives sharp?",
   "What's the difference between honing and sharpening a knife?",
   "My knives are really dull. Should I buy new ones or can I fix them?"],
  ["Dull knives can almost always be brought back, and keeping them sharp is mostly about habits.",
   "It helps to know that honing and sharpening are two different jobs."],
  ["Honing and sharpening are different: a honing steel removes no metal and just realigns an edge that has bent over with use, while sharpening grinds a new edge. Hone often, sharpen occasionally.",
   "Sharpening actually grinds a new edge. A whetstone does the best job, but a decent pull-through sharpener is fine for everyday knives.",
   "Cut on wood or plastic boards. Glass, stone and ceramic boards blunt an edge very quickly.",
   "Wash knives by hand and dry them straight away; dishwashers knock the edge against other items.",
   "Store them in a block, on a magnetic strip or with edge guards rather than loose in a drawer.",
   "Many cookware shops and market stalls offer professional sharpening for not much, which is a good option once or twice a year."])

T("cooking", "peeling_eggs",
  ["How do I make hard-boiled eggs that actually peel easily?",
   "My boiled eggs always tear when I peel them. Any tips?",
   "Is there a reliable way to get boiled eggs to peel cleanly?"],
  ["Peeling trouble is partly about the eggs themselves and partly about how you cook them.",
   "There are a few methods that make a real difference here."],
  ["Very fresh eggs are harder to peel. Eggs that have been in the fridge for a week or so usually peel more cleanly.",
   "Lower the eggs into water that is already boiling rather than starting them cold; the sudden heat helps the membrane separate from the white.",
   "Steaming the eggs for around 12 minutes works just as well and is easier to time.",
   "Move them into a bowl of iced water as soon as they're done. The quick chill makes the egg contract away from the shell.",
   "Crack the shell all over by rolling the egg gently on the counter, then start peeling from the wider end where the air pocket is.",
   "Peeling under a thin stream of running water helps lift the shell and membrane off together."])

T("cooking", "cast_iron",
  ["I just got a cast iron pan. How do I look after it?",
   "My cast iron skillet has some rust spots. Is it ruined?",
   "Can you use soap on cast iron, or is that a myth?"],
  ["Cast iron is very forgiving; it's almost impossible to ruin permanently.",
   "Looking after cast iron is simpler than its reputation suggests."],
  ["A little mild dish soap is fine. Modern seasoning is polymerised oil, and ordinary soap won't strip it. Just don't leave the pan soaking.",
   "Dry it thoroughly straight after washing, ideally by warming it on the hob for a minute, because water left on it causes rust.",
   "Rub a very thin layer of oil over the inside while it's still warm, then wipe off the excess so it doesn't go sticky.",
   "Rust spots can be scrubbed off with steel wool. Then wash, dry, oil lightly and bake it upside down in a hot oven for an hour to re-season.",
   "Cooking fatty foods in it regularly builds up the seasoning; long simmers of tomato sauce can wear it down while it's new.",
   "A bit of unevenness or dark patches is normal and doesn't mean anything has gone wrong."])

T("cooking", "baking_substitutes",
  ["I don't have buttermilk. What can I use instead in pancakes?",
   "Recipe calls for buttermilk and I have none. Any substitute?",
   "What are some good baking substitutions when I'm missing an ingredient?"],
  ["Most recipes are more flexible than they look, and buttermilk in particular is easy to imitate.",
   "There are several common swaps that work well in home baking."],
  ["For buttermilk, stir a tablespoon of lemon juice or white vinegar into a cup of milk and let it stand for five to ten minutes until it thickens slightly.",
   "Plain yoghurt thinned with a little milk also works in place of buttermilk and gives a similar tang.",
   "If you're out of self-raising flour, add about two teaspoons of baking powder per cup of plain flour.",
   "Brown sugar can be made by mixing white sugar with a tablespoon or so of molasses or treacle per cup.",
   "Swapping butter for oil works in many cakes and muffins, but use a bit less oil, roughly three quarters of the amount.",
   "Substitutions in baking are less forgiving than in cooking, so swap one thing at a time and make a note of how it turned out."])

T("cooking", "batch_cooking",
  ["How do I get started with cooking in batches for the week?",
   "I'm tired of deciding what to cook every night. How does meal prep work?",
   "Any advice for cooking a few big meals on Sunday to last the week?"],
  ["Batch cooking saves a lot of weeknight effort once you find a rhythm.",
   "The easiest way in is to start small and cook things that reheat well."],
  ["Pick two or three dishes that improve after a day, like chilli, curries, stews and soups, rather than food that goes soggy, like fried things.",
   "Cook components rather than finished meals: a tray of roasted vegetables, a pot of grains and a sauce can be combined differently each night.",
   "Cool food quickly, get it into the fridge within a couple of hours, and eat refrigerated portions within three or four days.",
   "Freeze some portions straight away. Label them with the date and what they are; mystery boxes tend to get thrown out.",
   "Good containers matter more than people expect. Stackable ones with lids that fit will make you far more likely to keep going.",
   "Leave one or two nights unplanned so you don't get bored of eating the same thing."])

T("cooking", "spice_storage",
  ["Do spices go off? Some of mine are years old.",
   "How long do dried herbs and spices actually last?",
   "What's the best way to store spices?"],
  ["Spices don't really go off in a harmful way, but they do lose their flavour over time.",
   "Old spices are usually safe, just weak."],
  ["Ground spices keep good flavour for roughly six months to a year; whole spices like cumin seeds or peppercorns last two years or more.",
   "A quick test: rub a little between your fingers and smell it. If there's hardly any aroma, it won't add much to a dish.",
   "Store them away from the stove, sunlight and steam. A cool, dark cupboard is much better than a rack above the hob.",
   "Buy small amounts of spices you rarely use, and whole spices you can grind as needed.",
   "Toasting whole spices in a dry pan for a minute before grinding brings out a lot more flavour.",
   "Write the purchase date on the jar so you can see at a glance which ones are getting old."])

T("cooking", "pasta_sauce",
  ["Why doesn't my pasta sauce stick to the pasta?",
   "How do restaurants make their pasta so silky and saucy?",
   "What's the right way to combine pasta and sauce?"],
  ["The difference is usually in the last two minutes of cooking.",
   "Restaurant pasta is mostly about finishing the pasta in the sauce."],
  ["Save a mug of the starchy cooking water before draining. A splash of it helps the sauce emulsify and cling.",
   "Take the pasta out a minute before it's fully cooked and finish it in the pan with the sauce so it absorbs flavour.",
   "Don't rinse cooked pasta for hot dishes; rinsing removes the surface starch that helps sauce stick.",
   "Salt the water well, so it tastes pleasantly seasoned. It's the only chance to season the pasta itself.",
   "Toss everything vigorously over the heat. The movement is what turns water, fat and cheese into a glossy sauce.",
   "Add grated cheese off the heat or at low heat, otherwise it can clump into strings."])

# --------------------------------------------------------------------------------------------
# Travel
# --------------------------------------------------------------------------------------------
T("travel", "packing_light",
  ["How do I pack for a two-week trip with only a carry-on?",
   "I always overpack. Any tips for travelling light?",
   "Is it realistic to do ten days with just hand luggage?"],
  ["It's very doable, and most people find travelling light is more relaxing once they try it.",
   "Carry-on only is mostly about planning outfits rather than squeezing harder."],
  ["Pick a simple colour scheme so every top goes with every bottom. Five or six tops and two or three bottoms can cover two weeks.",
   "Plan to do laundry once. A small bottle of travel detergent and a sink will handle it, or use a laundrette.",
   "Wear your bulkiest shoes and jacket on the plane instead of packing them.",
   "Roll soft clothes and use packing cubes; they don't create space, but they keep things compressed and organised.",
   "Check your airline's size and weight limits before you go. They vary a lot, especially on budget carriers.",
   "Leave the 'just in case' items at home. Almost anything you forget can be bought at your destination."])

T("travel", "europe_trains",
  ["I'm thinking of travelling around Europe by train. Where do I start?",
   "Is it easy to get around Europe by rail as a first-timer?",
   "Any advice for planning a multi-country train trip in Europe?"],
  ["Rail travel in Europe is generally straightforward, and the journeys themselves can be a highlight.",
   "Trains are a lovely way to see Europe; a bit of planning makes it smooth."],
  ["Sketch a route first and check journey times. Some hops are two hours, others are a full day with changes.",
   "National rail operators' websites often have the cheapest tickets, and many long-distance fares go up closer to the date.",
   "Some high-speed and night trains require a seat reservation even if you have a rail pass, so check before turning up.",
   "Leave generous connection times when changing between different countries' trains, as delays on one don't always hold the other.",
   "Stations in big cities can be huge. Arrive 20 to 30 minutes early to find your platform and coach.",
   "Don't try to cram too many cities in. Two or three nights per place is much more enjoyable than one."])

T("travel", "no_language",
  ["I'm visiting a country where I don't speak the language at all. How do I get by?",
   "Travelling somewhere I can't speak a word of the language. Any tips?",
   "How do people manage travelling where they can't read the signs?"],
  ["Plenty of people travel happily without speaking the language; a little preparation goes a long way.",
   "You'll be fine. Most interactions while travelling are simple and predictable."],
  ["Learn five or six phrases before you go: hello, please, thank you, excuse me, sorry and 'do you speak English?'. The effort is appreciated.",
   "Download an offline language pack for a translation app so you can use it without data. The camera feature is great for menus and signs.",
   "Save your accommodation's address in the local script so you can show it to a taxi driver.",
   "Pointing, smiling and patience solve most problems. Shop and restaurant staff are used to it.",
   "Offline maps are essential, since you can't always ask for directions.",
   "Keep your sentences short and simple when speaking English to people for whom it's a second language."])

T("travel", "first_solo_trip",
  ["I'm going on my first solo trip and I'm nervous. Any advice?",
   "How do I make the most of travelling alone for the first time?",
   "Any tips for someone who's never travelled alone?"],
  ["Nerves are completely normal, and most people come back from a first solo trip wishing they'd done it sooner.",
   "Solo travel is a great experience, and a few habits make it easier."],
  ["Choose a first destination that's known to be easy for travellers, with good public transport and plenty of other visitors.",
   "Share your itinerary with someone at home and check in with them every day or two.",
   "Book your first night's accommodation in advance and plan how you'll get there from the airport, so the arrival is stress-free.",
   "Hostels, walking tours and cooking classes are easy ways to meet people if you want company.",
   "Eating alone feels odd at first, but bringing a book or sitting at the bar makes it comfortable quickly.",
   "Keep a photo of your passport and a spare bank card separate from your main wallet, just in case."])

T("travel", "road_trip",
  ["How should I plan a week-long road trip?",
   "We're doing our first big road trip. What should we think about?",
   "What makes a road trip go smoothly?"],
  ["A road trip is most fun when the plan has some slack in it.",
   "Road trips reward a bit of planning and a lot of flexibility."],
  ["Limit driving to around four or five hours a day so there's time to actually enjoy the stops.",
   "Book the first and last nights and leave the middle loosely planned so you can stay longer where you like it.",
   "Get the car checked before you go: tyres, oil, lights and wipers. A breakdown kit is worth having.",
   "Download offline maps, since signal can disappear in rural areas.",
   "Swap drivers regularly and take a proper break every couple of hours; tired driving is the real risk on long trips.",
   "Make a shared playlist and pack snacks. Small comforts make long stretches a lot nicer."])

T("travel", "big_museum",
  ["How do I avoid getting overwhelmed in a huge museum like the Louvre?",
   "I only have one day at a massive museum. How should I plan it?",
   "Any tips for visiting big art museums without getting exhausted?"],
  ["Big museums are designed to be visited many times, so the key is not trying to see everything.",
   "Museum fatigue is real; it helps to treat a visit like a short trip with a plan."],
  ["Pick five to ten works or rooms you really want to see and plan a route around them. Anything else is a bonus.",
   "Book timed tickets online if you can and go early or late in the day, when the crowds are thinner.",
   "Take a break every hour or so. A coffee and a sit-down will make the afternoon much better.",
   "An audio guide or a short guided tour gives you context and can make even a quick visit memorable.",
   "Check the museum map for quieter wings. Some of the best rooms are empty while the famous ones are packed.",
   "Spend real time with a few pieces rather than glancing at hundreds. You'll remember far more."])

T("travel", "lost_passport",
  ["What should I do if I lose my passport abroad?",
   "I'm worried about losing my passport while travelling. What's the plan if it happens?",
   "How do I protect my travel documents on a trip?"],
  ["Losing a passport abroad is stressful but very fixable, and a little preparation makes it much easier.",
   "It's good to know the steps before anything happens."],
  ["Before you leave, save photos of your passport, visas and insurance to your email or cloud storage, and keep a paper copy separate from the original.",
   "If it's lost, report it to the local police and get a written report. Insurers and embassies often ask for it.",
   "Contact your country's embassy or consulate. They can usually issue an emergency travel document, often within a few days.",
   "Bring a couple of spare passport photos on longer trips. They speed up replacement documents.",
   "Most days you can leave the passport in the hotel safe and carry a copy, unless local law requires the original.",
   "Note down the embassy's address and phone number for each country on your route before you set off."])

T("travel", "japan_etiquette",
  ["I'm visiting Japan for the first time. What etiquette should I know?",
   "What are some customs in Japan that tourists often get wrong?",
   "How do I avoid being rude by accident when travelling in Japan?"],
  ["People in Japan are generally forgiving of visitors, but knowing a few customs is appreciated.",
   "A handful of habits will cover most everyday situations."],
  ["Take your shoes off when entering homes, some traditional restaurants and temples. Look for a step up or a row of slippers.",
   "Tipping isn't customary and can cause confusion. Good service is simply expected.",
   "Keep your voice down on trains and avoid phone calls on them.",
   "Don't stick chopsticks upright in a bowl of rice, as that's associated with funerals.",
   "Eating while walking down the street is frowned upon in many places; people tend to eat near where they bought the food.",
   "Rubbish bins are rare in public, so carry a small bag for your litter and take it back to your hotel."])

# --------------------------------------------------------------------------------------------
# History
# --------------------------------------------------------------------------------------------
T("history", "rome_fall",
  ["Why did the Western Roman Empire fall?",
   "What actually caused the fall of Rome? Was there one main reason?",
   "Can you explain the fall of the Roman Empire simply?"],
  ["Historians don't agree on a single cause; most see it as a combination of pressures over a long period.",
   "There isn't one neat answer, and it's worth being careful with anyone who offers just one."],
  ["Political instability was a big factor: in the third century emperors were replaced frequently, often by force, which weakened central control.",
   "The empire faced pressure on its borders from groups such as the Goths and Vandals, and it increasingly relied on them as soldiers and allies.",
   "Economic problems, including debased currency and heavy taxation, strained the system that paid for the army.",
   "The empire was split administratively into east and west. The eastern half, based in Constantinople, survived for nearly another thousand years.",
   "The date usually given is 476 CE, when the last western emperor was deposed, but many people at the time wouldn't have seen it as a sudden end.",
   "Some historians prefer to talk about a 'transformation' rather than a fall, because Roman law, language and institutions carried on in new kingdoms."])

T("history", "printing_press",
  ["Why was the printing press such a big deal?",
   "How did Gutenberg's printing press change the world?",
   "What difference did printing make compared to handwritten books?"],
  ["Printing didn't just make books cheaper; it changed how ideas spread.",
   "Gutenberg's press, around 1450, combined movable metal type with an adapted screw press, and the effects were enormous."],
  ["Before printing, books in Europe were copied by hand, which was slow and expensive and introduced errors with each copy.",
   "Within about fifty years of Gutenberg's first books, printing had spread to hundreds of European towns and millions of books had been produced.",
   "Identical copies meant scholars in different cities could refer to exactly the same text, which helped science and scholarship.",
   "Printed pamphlets helped the Protestant Reformation spread quickly; Luther's writings were some of the early bestsellers.",
   "Printing helped standardise spelling and grammar in many languages over time.",
   "It's worth noting that movable type existed earlier in East Asia, for example in China and Korea, though it developed differently there."])

T("history", "pyramids",
  ["How did the ancient Egyptians build the pyramids?",
   "Who built the pyramids, and how did they move such huge stones?",
   "Were the pyramids really built by slaves?"],
  ["We don't know every detail, but archaeology has answered a lot of the big questions.",
   "The Great Pyramid of Giza was built around 2560 BCE, and evidence about how it was done keeps growing."],
  ["Excavations near Giza found workers' villages, bakeries and tombs, suggesting the builders were paid, organised labourers rather than slaves.",
   "Blocks were quarried nearby with copper tools, and finer limestone and granite were brought by boat along the Nile and canals.",
   "Stones were probably dragged on wooden sledges. A wall painting shows workers pouring water on sand in front of a sledge, which reduces friction.",
   "Ramps were almost certainly used, though whether they were straight, zigzagging or spiralling is still debated.",
   "A papyrus logbook found at Wadi al-Jarf records a team transporting limestone to Giza, giving a rare first-hand glimpse of the logistics.",
   "The projects required impressive administration: feeding, housing and organising thousands of workers for decades."])

T("history", "ww1_causes",
  ["What caused the First World War?",
   "How did one assassination lead to a whole world war?",
   "Can you give me a simple explanation of why WW1 started?"],
  ["The assassination was the trigger, but the conditions for a big war had been building for years.",
   "Historians still argue over the balance of blame, but there are a few widely accepted factors."],
  ["In June 1914, Archduke Franz Ferdinand of Austria-Hungary was assassinated in Sarajevo by Gavrilo Princip, a Bosnian Serb nationalist.",
   "Europe was divided into alliances, so a conflict between Austria-Hungary and Serbia quickly drew in Russia, Germany, France and Britain.",
   "Military plans relied on rapid mobilisation, especially Germany's plan to attack France through Belgium, which left little time for diplomacy.",
   "Rivalries over empire and a naval arms race between Britain and Germany added to tension.",
   "Nationalism in the Balkans and elsewhere made many governments feel they could not back down without losing prestige.",
   "A useful way to think of it: alliances, militarism, imperialism and nationalism set the stage, and the assassination lit the fuse."])

T("history", "silk_road",
  ["What was the Silk Road?",
   "Was the Silk Road an actual road?",
   "Why was the Silk Road important in history?"],
  ["The name is a bit misleading; it was a network of routes rather than a single road.",
   "The Silk Road was a web of overland and sea routes connecting China with Central Asia, the Middle East and the Mediterranean for well over a thousand years."],
  ["The term was coined in the nineteenth century by a German geographer, Ferdinand von Richthofen.",
   "Few traders travelled the whole length. Goods usually moved in stages, passing through many hands and markets.",
   "Silk went west, but so did paper, porcelain and spices, while horses, glass, silver and wool moved east.",
   "Ideas travelled too: Buddhism spread from India into China along these routes, and later Islam spread into Central Asia.",
   "Cities like Samarkand and Kashgar grew rich as trading hubs and centres of learning.",
   "Disease also spread along trade routes; the Black Death in the fourteenth century likely moved partly this way."])

T("history", "magna_carta",
  ["What was the Magna Carta and why does it matter?",
   "Why do people still talk about the Magna Carta?",
   "Did the Magna Carta really create democracy?"],
  ["It matters more as a symbol than as a working law, but the symbol has been powerful.",
   "Magna Carta was agreed by King John of England in 1215 with rebellious barons."],
  ["Magna Carta was mostly a practical peace deal about the barons' grievances, such as taxes and feudal rights, not a charter for everyone.",
   "The original version was annulled by the Pope within a few months, but revised versions were reissued in later years.",
   "Its most famous idea is that even the king is subject to the law, and that free men shouldn't be imprisoned without lawful judgement.",
   "Magna Carta didn't create democracy. Most people at the time were unfree peasants and it gave them little directly.",
   "Later lawyers and politicians, including in the American colonies, reinterpreted it as a foundation for individual rights.",
   "Only a few clauses remain in English law today, but copies of the 1215 charter still survive and are on display."])

T("history", "industrial_revolution",
  ["Why did the Industrial Revolution start in Britain?",
   "What made Britain the first industrial country?",
   "Can you explain the causes of the Industrial Revolution?"],
  ["Historians point to a mix of geography, economics and timing rather than one cause.",
   "It's a debated question, but several factors came together in eighteenth-century Britain."],
  ["Britain had large, accessible coal deposits, often close to iron ore, which fuelled steam engines and iron making.",
   "Wages were relatively high and coal cheap, which gave businesses an incentive to invest in labour-saving machines.",
   "A growing trade network and colonies provided raw materials such as cotton and markets for manufactured goods.",
   "Agricultural changes increased food production, supporting a growing population that moved into towns.",
   "Canals, and later railways, made it cheaper to move heavy goods around the country.",
   "Patent law and a culture of practical tinkering helped inventors like James Watt and Richard Arkwright profit from their ideas."])

T("history", "apollo_end",
  ["Why did people stop going to the Moon after Apollo?",
   "If we landed on the Moon in 1969, why haven't we been back since 1972?",
   "What ended the Apollo programme?"],
  ["It came down mostly to money and politics rather than technology.",
   "The short answer is that once the goal was achieved, the political will faded."],
  ["Apollo was driven largely by Cold War competition with the Soviet Union. After the US won the race, public interest dropped quickly.",
   "At its peak in the mid-1960s NASA received around 4 percent of the US federal budget, and funding was cut as other priorities such as the Vietnam War grew.",
   "Three planned missions, Apollo 18 to 20, were cancelled, and the hardware was used elsewhere.",
   "NASA shifted focus to the Space Shuttle and later the International Space Station, aiming at low Earth orbit.",
   "Returning is a huge engineering project today too; modern safety standards and new hardware mean it can't simply be rebuilt from old designs.",
   "Twelve astronauts walked on the Moon between 1969 and 1972, and new crewed lunar missions have been planned for the coming years."])

# --------------------------------------------------------------------------------------------
# Science
# --------------------------------------------------------------------------------------------
T("science", "blue_sky",
  ["Why is the sky blue?",
   "My kid asked why the sky is blue and I didn't know. Can you explain simply?",
   "Why is the sky blue during the day but red at sunset?"],
  ["It's all about how sunlight interacts with the air.",
   "Great question, and the same effect explains both the blue sky and red sunsets."],
  ["Sunlight contains all colours. When it passes through the atmosphere, it bumps into gas molecules, which scatter light in all directions.",
   "Shorter wavelengths like blue are scattered much more strongly than longer ones like red. This is called Rayleigh scattering.",
   "Because the air scatters blue light so much more than red, blue reaches your eyes from every direction, so any patch of sky away from the sun looks blue.",
   "Violet scatters even more than blue, but our eyes are less sensitive to it and some is absorbed high up, so the sky looks blue.",
   "At sunset, light travels through much more air to reach you. Most blue light gets scattered away, leaving the reds and oranges.",
   "A simple version for kids: the air bounces blue light around the sky more than other colours, so blue comes at us from everywhere."])

T("science", "seasons",
  ["Why do we have seasons? Is it because Earth is closer to the Sun in summer?",
   "What causes summer and winter?",
   "Can you explain the seasons in a way I'll actually remember?"],
  ["It's a very common misconception that distance causes the seasons. It's actually the tilt.",
   "The seasons come from the angle of the Earth, not its distance from the Sun."],
  ["Earth's axis is tilted by about 23.5 degrees. As we orbit the Sun, each hemisphere takes turns leaning towards it.",
   "When your hemisphere leans towards the Sun, sunlight hits more directly and days are longer, so it's warmer.",
   "Earth is actually closest to the Sun in early January, during the northern hemisphere's winter.",
   "Because of the tilt, seasons are opposite in the two hemispheres: July is summer in Europe and winter in Australia.",
   "A torch helps to picture it: shine it straight down and you get a small bright spot; tilt it and the same light spreads over a larger, dimmer area.",
   "Near the equator the angle of sunlight changes less over the year, so seasons there are more about rainfall than temperature."])

T("science", "tides",
  ["How does the Moon cause tides?",
   "Why are there two high tides a day instead of one?",
   "Can you explain tides without too much physics?"],
  ["Tides come from the Moon's gravity pulling slightly differently on different parts of the Earth.",
   "Tides confuse a lot of people, especially the fact that most coasts get two high tides a day."],
  ["The Moon pulls hardest on the side of Earth facing it, so water there bulges towards the Moon.",
   "On the far side, the Moon's pull is weaker than on Earth's centre, so the water there is effectively left behind, making a second bulge.",
   "As the Earth rotates through both bulges, most coastlines get two high tides and two low tides roughly every 24 hours and 50 minutes.",
   "The Sun causes tides too, about half as strong. When Sun and Moon line up at new and full moon, we get larger spring tides.",
   "When the Sun and Moon are at right angles, at quarter moons, their effects partly cancel and we get smaller neap tides.",
   "The shape of coastlines and the sea floor changes tides a lot locally, which is why some bays have enormous ranges and others hardly any."])

T("science", "photosynthesis",
  ["Can you explain photosynthesis simply?",
   "How do plants make food from sunlight?",
   "Where does a tree's mass actually come from?"],
  ["Photosynthesis is how plants turn light energy into chemical energy stored in sugar.",
   "Here's the core idea in plain terms."],
  ["Plants take in carbon dioxide from the air through tiny pores in their leaves and water through their roots.",
   "Using energy from sunlight, captured by the green pigment chlorophyll, they turn these into glucose and release oxygen.",
   "The simplified equation is: carbon dioxide plus water, with light, gives glucose plus oxygen.",
   "Most of a tree's mass comes from carbon in the air, not from the soil. The soil mainly supplies water and minerals.",
   "The glucose is used for energy and to build cellulose, which makes up much of the plant's structure.",
   "Leaves look green because chlorophyll absorbs red and blue light and reflects green."])

T("science", "black_holes",
  ["What is a black hole, in simple terms?",
   "How do black holes form, and would one suck up the Earth?",
   "What happens if you fall into a black hole?"],
  ["A black hole is a region where gravity is so strong that nothing, not even light, can escape.",
   "Black holes are strange, but the basics are easier than they sound."],
  ["Many form when a very massive star runs out of fuel and its core collapses under its own gravity.",
   "The boundary beyond which nothing can escape is called the event horizon. It isn't a surface, just a point of no return.",
   "Black holes don't suck things in like a vacuum cleaner. At a distance, their gravity behaves like any other object of the same mass.",
   "If the Sun were replaced by a black hole of the same mass, Earth's orbit wouldn't change, though it would get very cold and dark.",
   "Falling into a small one, the difference in gravity between your head and feet would stretch you out, an effect nicknamed spaghettification.",
   "In 2019, the Event Horizon Telescope released the first image of a black hole's shadow, in the galaxy M87."])

T("science", "evolution_monkeys",
  ["If humans evolved from monkeys, why are there still monkeys?",
   "My friend says evolution can't be true because monkeys still exist. How do I explain it?",
   "Did humans come from chimpanzees?"],
  ["This is a very common question, and it comes from a small misunderstanding about how evolution works.",
   "The short version is that humans didn't evolve from today's monkeys or apes."],
  ["Humans and modern apes share common ancestors. Think of cousins who share grandparents rather than one being descended from the other.",
   "Our lineage and the chimpanzee lineage split roughly six to seven million years ago, and both have kept evolving since.",
   "Evolution isn't a ladder with humans at the top. It's a branching tree, and every living species is at the tip of its own branch.",
   "A population can split, with one group adapting to new conditions while the other keeps living successfully where it was.",
   "An analogy: Americans descended from Europeans, but Europeans didn't disappear.",
   "Chimpanzees and bonobos are our closest living relatives, sharing roughly 98 to 99 percent of our DNA by common measures."])

T("science", "earthquakes",
  ["What causes earthquakes?",
   "Why do some countries get so many earthquakes?",
   "Can scientists predict earthquakes?"],
  ["Earthquakes come from the movement of the plates that make up the Earth's outer shell.",
   "Earthquakes are closely tied to the edges of the tectonic plates."],
  ["The Earth's crust is broken into large tectonic plates that move a few centimetres a year, about as fast as fingernails grow.",
   "Where plates meet, they can lock together. Stress builds until the rock suddenly slips, releasing energy as seismic waves.",
   "Countries along plate boundaries, like Japan, Chile and Indonesia, get many more earthquakes. The Pacific rim is called the Ring of Fire.",
   "Scientists can estimate which regions are likely to have large earthquakes over decades, but they can't predict the exact day or hour.",
   "Some places have early warning systems that detect the first, faster waves and give a few seconds' notice before stronger shaking arrives.",
   "Magnitude scales are logarithmic: each whole number step is about 32 times more energy released."])

T("science", "rainbows",
  ["How do rainbows form?",
   "Why are rainbows curved?",
   "Why do you only see a rainbow with the sun behind you?"],
  ["Rainbows are sunlight being split and reflected by raindrops.",
   "A rainbow is a nice example of simple optics happening on a huge scale."],
  ["When sunlight enters a raindrop, it bends, reflects off the back of the drop and bends again on the way out.",
   "Different colours bend by slightly different amounts, so white light is spread into a spectrum.",
   "Each colour leaves the drop at a particular angle, about 42 degrees for red, relative to the line from the sun through your head.",
   "All the drops that send light to your eye at that angle lie on a circle around that line, which is why the bow is curved.",
   "You need the sun behind you and rain in front of you. From an aeroplane you can sometimes see a full circle.",
   "A fainter second bow sometimes appears outside the first, with colours reversed, from light reflecting twice inside the drops."])

T("science", "microwave",
  ["How does a microwave oven actually heat food?",
   "Why does microwaved food heat unevenly?",
   "Does a microwave heat food from the inside out?"],
  ["Microwaves heat food by making water molecules jostle around.",
   "It's a neat bit of physics, and it explains the cold spots too."],
  ["The oven produces microwaves, a type of radio wave, which make water molecules in food rotate back and forth rapidly. That motion becomes heat.",
   "Microwaves don't really cook from the inside out. They penetrate a few centimetres, and heat spreads inward from there by conduction.",
   "Waves inside the oven form a pattern of hot and cold spots, which is why there's a turntable.",
   "Frozen parts heat slowly because ice absorbs microwaves much less well than liquid water, so thawed bits get hot first.",
   "Stirring halfway through and letting food stand for a minute evens out the temperature.",
   "Arranging food in a ring, with the thickest parts towards the outside, also helps it heat more evenly."])

T("science", "ice_floats",
  ["Why does ice float on water?",
   "Isn't it weird that ice floats? Most solids sink in their liquid.",
   "Why is it important that ice floats?"],
  ["Floating ice is unusual, and it comes from the shape of water molecules.",
   "Water is an oddity here: most substances are denser as solids than as liquids."],
  ["When water freezes, hydrogen bonds lock its molecules into an open, hexagonal pattern that takes up more space than liquid water.",
   "Ice is about 9 percent less dense than liquid water, so it floats, with roughly nine tenths of a floating chunk below the surface.",
   "Water is actually densest at about 4 degrees Celsius, slightly above freezing.",
   "Because ice forms on top of lakes, it insulates the water below, which helps fish and other life survive winter.",
   "The expansion on freezing is also why pipes can burst in winter and why rocks crack when water freezes in them.",
   "Most substances shrink when they solidify, so their solids sink; water is one of a few exceptions."])

T("science", "static_lightning",
  ["What is static electricity?",
   "Why do I get shocks from door handles in winter?",
   "How does lightning form?"],
  ["Static electricity is a build-up of electric charge that hasn't had a chance to flow away yet.",
   "Static shocks and lightning are the same physics at very different scales."],
  ["When two materials rub together, electrons can move from one to the other, leaving one with a negative charge and the other positive.",
   "In dry winter air, charge can't leak away easily, so it builds up on you as you walk across carpet. Touching metal lets it jump suddenly.",
   "Touching the door handle with a key first lets the spark jump from the key instead of your finger, which doesn't hurt.",
   "In storm clouds, collisions between ice particles separate charge, usually leaving the bottom of the cloud negative.",
   "When the charge difference becomes large enough, the air breaks down and a huge spark jumps: that's lightning.",
   "Thunder is the sound of air expanding violently as lightning heats it to temperatures hotter than the surface of the Sun."])

# --------------------------------------------------------------------------------------------
# Maths
# --------------------------------------------------------------------------------------------
T("maths", "dividing_fractions",
  ["Why do you flip the second fraction when dividing fractions?",
   "I can divide fractions with 'keep, change, flip' but I don't get why it works.",
   "How do I explain dividing fractions to my daughter?"],
  ["The rule makes much more sense once you think of division as 'how many of these fit into that?'.",
   "It's a great thing to question; the rule has a simple reason behind it."],
  ["Dividing by a number is the same as multiplying by its reciprocal. Dividing by 2 is multiplying by 1/2, and dividing by 1/2 is multiplying by 2.",
   "Example: 3 divided by 1/2 asks how many halves fit into 3. There are 6, which is 3 times 2.",
   "It works the same way with fractions on both sides: 3/4 divided by 1/8 asks how many eighths are in three quarters. Three quarters is 6/8, so the answer is 6.",
   "A visual helps: draw a bar, split it into quarters, shade three, then split each quarter in half and count the eighths.",
   "Flipping works because a fraction times its reciprocal equals 1, which is what undoing a division requires.",
   "Let her try a few problems with drawings before introducing the shortcut, so the rule feels earned rather than magic."])

T("maths", "percent_change",
  ["How do I work out a percentage increase?",
   "If something goes up 50% and then down 50%, why am I not back where I started?",
   "Can you explain percentage change with an example?"],
  ["Percentage change is always measured relative to the starting value, and that one idea clears up most confusing cases.",
   "It's easy once you have a consistent formula."],
  ["The formula is: (new value minus old value), divided by the old value, times 100.",
   "Example: a plant grows from 20 cm to 25 cm. The change is 5, and 5 divided by 20 is 0.25, so that's a 25% increase.",
   "Up 50% then down 50%: start at 100, go up to 150, then take off half of 150, which leaves 75, not 100.",
   "The decrease is calculated on a bigger number, so it removes more than the increase added.",
   "A quick trick: to increase by a percentage, multiply by 1 plus the rate, so up 20% is times 1.2 and down 20% is times 0.8.",
   "Be careful with 'percentage points'. Going from 10% to 12% is a rise of 2 percentage points but a 20% increase."])

T("maths", "pythagoras",
  ["What is Pythagoras' theorem and when do you use it?",
   "Can you explain a squared plus b squared equals c squared?",
   "How do I use Pythagoras to find a missing side?"],
  ["It's one of the most useful ideas in geometry, and it only applies to right-angled triangles.",
   "Pythagoras' theorem links the three sides of a right-angled triangle."],
  ["In a right-angled triangle, the square of the longest side, the hypotenuse, equals the sum of the squares of the other two sides.",
   "Example: if the two shorter sides are 3 and 4, then 9 plus 16 is 25, so the hypotenuse is the square root of 25, which is 5.",
   "To find one of the shorter sides, subtract: if the hypotenuse is 13 and one side is 5, then 169 minus 25 is 144, so the other side is 12.",
   "Always check which side is the hypotenuse first. It's opposite the right angle and always the longest.",
   "Real uses include checking a corner is square: measure 3 units along one wall and 4 along the other, and the diagonal should be 5.",
   "It's also how you find the straight-line distance between two points on a map grid."])

T("maths", "gamblers_fallacy",
  ["If a coin lands heads five times in a row, is tails more likely next?",
   "Is a coin 'due' to land tails after a streak of heads?",
   "Why does a streak of heads not change the odds of the next flip?"],
  ["The next flip is still 50/50. This is a classic intuition trap, often called the gambler's fallacy.",
   "It feels like tails should be due, but the coin has no memory."],
  ["For a fair coin, each flip is independent. The chance of tails on the next flip is still 50%, whatever happened before.",
   "A run of five heads has a probability of 1 in 32 before you start, but once it's happened, it doesn't affect the next flip.",
   "Things 'even out' over many flips only in proportion: the percentage of heads approaches 50%, but the gap in raw numbers isn't corrected.",
   "Streaks are much more common than people expect. In 100 flips, a run of five or more heads or tails is very likely.",
   "If a coin kept landing heads over hundreds of flips, the sensible conclusion would be that it might be biased, not that tails is due.",
   "A fun experiment: flip a coin 50 times and write down the results, and you'll probably find longer streaks than you'd guess."])

T("maths", "negative_times_negative",
  ["Why does a negative times a negative give a positive?",
   "Is there an intuitive reason minus times minus is plus?",
   "How do I explain negative multiplication to a student?"],
  ["There are a few ways to see it, and one of them usually clicks.",
   "It's a rule that can feel arbitrary, but it follows from patterns we already accept."],
  ["Look at a pattern: 3 times minus 2 is minus 6, 2 times minus 2 is minus 4, 1 times minus 2 is minus 2, 0 times minus 2 is 0. Each step adds 2, so minus 1 times minus 2 must be 2.",
   "Think of multiplying by minus 1 as turning around on a number line. Doing it twice brings you back to facing the original direction.",
   "A story version: if you remove three debts of 2 pounds each, you're 6 pounds better off.",
   "Mathematically, it's the only rule that keeps the distributive law working, so that a times (b plus c) equals ab plus ac for all numbers.",
   "With students, the pattern approach usually works best, because they discover the answer themselves.",
   "Once minus times minus makes sense, the rule that minus times plus gives minus follows from the same kind of pattern."])

T("maths", "derivative_intuition",
  ["What is a derivative, intuitively?",
   "I'm starting calculus and don't really get what differentiation means.",
   "Can you explain derivatives without heavy notation?"],
  ["A derivative is a rate of change: how fast one quantity changes as another changes.",
   "At heart, differentiation answers the question 'how steep is this graph right here?'"],
  ["On a straight line the slope is the same everywhere. On a curve, the slope changes, and the derivative tells you the slope at each point.",
   "Speed is a good example: if distance depends on time, the derivative of distance with respect to time is your speed at each moment.",
   "The idea is to take two points very close together, compute the slope between them, and see what it approaches as the gap shrinks to zero.",
   "For y = x squared, the derivative is 2x. At x = 3 the curve is rising with slope 6, and at x = 0 it's flat.",
   "Where a derivative is zero, the graph is momentarily flat, which is how you find maximums and minimums.",
   "Focus on the picture of tangent lines first. The rules for differentiating will make more sense once the meaning is clear."])

T("maths", "linear_equations",
  ["How do I solve equations like 3x + 5 = 20?",
   "I'm rubbish at algebra. How do you solve for x?",
   "What's the method for solving a simple linear equation?"],
  ["The main idea is to keep the equation balanced while you undo what's been done to x.",
   "Solving for x is like unwrapping a present: undo the layers in reverse order."],
  ["Whatever you do to one side, you must do to the other. Picture a balanced scale.",
   "For 3x + 5 = 20, first subtract 5 from both sides to get 3x = 15, then divide both sides by 3 to get x = 5.",
   "Undo addition and subtraction first, then multiplication and division, which is the reverse of the order of operations.",
   "Always check your answer by substituting it back in: 3 times 5 plus 5 is 20, so it works.",
   "If x appears on both sides, like 5x + 2 = 2x + 11, first move all the x terms to one side: subtract 2x to get 3x + 2 = 11.",
   "Writing each step on a new line feels slow, but it prevents most mistakes."])

T("maths", "infinite_primes",
  ["Are there infinitely many prime numbers?",
   "How do we know primes never run out?",
   "Can you explain Euclid's proof about primes?"],
  ["The proof that primes never run out, usually credited to Euclid, is one of the most elegant in mathematics.",
   "There are infinitely many primes, and the classic argument is short and elegant."],
  ["The proof: suppose there were only finitely many primes. Multiply them all together and add 1. Dividing the result by any prime on the list leaves a remainder of 1, so its prime factors are missing from the list, which is a contradiction.",
   "The key step is that multiplying all the listed primes together and adding 1 gives a number that none of them divides exactly.",
   "The number you get by multiplying the primes together and adding 1 doesn't have to be prime itself: 2 times 3 times 5 times 7 times 11 times 13, plus 1, is 30031, which is 59 times 509. Neither 59 nor 509 was on the list.",
   "The argument is a proof by contradiction: assume the opposite of what you want to show, and follow it until something impossible happens.",
   "Primes get rarer as numbers grow, roughly in proportion to one over the logarithm of the number, but they never stop.",
   "There are still famous open questions, like whether there are infinitely many twin primes such as 11 and 13."])

# --------------------------------------------------------------------------------------------
# Writing and editing
# --------------------------------------------------------------------------------------------
T("writing", "essay_intro",
  ["How do I write a strong introduction for an essay?",
   "I always get stuck on the first paragraph of my essays. Any advice?",
   "What should an essay introduction actually do?"],
  ["An introduction has a simple job: tell the reader what the essay is about and why it's worth reading.",
   "Openings are the hardest part for most writers, and a few habits make them much easier."],
  ["Write the introduction last, or at least rewrite it at the end. It's much easier once you know exactly what your essay argues.",
   "Open with something specific, like a striking fact, a short example or a real question, rather than a broad line such as 'Since the dawn of time'.",
   "State your thesis clearly, in one or two sentences, so the reader knows the argument you'll be making.",
   "Briefly signpost the main points you'll cover, especially in longer academic essays.",
   "Keep it short. In a 2,000 word essay, an introduction of around 150 to 200 words is usually plenty.",
   "If you're stuck, write a rough placeholder like 'this essay argues X' and move on. You can polish it later."])

T("writing", "passive_voice",
  ["What's the passive voice and why do people say to avoid it?",
   "My teacher keeps marking 'passive voice' on my work. What does that mean?",
   "Is the passive voice always bad writing?"],
  ["The passive voice isn't wrong, but it's often less clear than the active voice.",
   "It helps to know what it is first, and then when it's actually useful."],
  ["In the active voice, the subject does the action: 'The committee approved the plan.' In the passive, the subject receives it: 'The plan was approved by the committee.'",
   "A quick test: if you can add 'by zombies' after the verb and it still makes sense, it's probably passive. 'The plan was approved by zombies.'",
   "Passive sentences are often longer and can hide who is responsible, as in 'mistakes were made'.",
   "The passive is useful when the actor is unknown or unimportant, for example 'The building was completed in 1890.'",
   "Scientific writing traditionally uses the passive, though many journals now encourage the active voice.",
   "Try rewriting a few flagged sentences actively and read both aloud. Often the active one is clearer, but not always."])

T("writing", "comma_splice",
  ["What is a comma splice?",
   "My editor said I use too many comma splices. How do I fix them?",
   "Can you explain when to use a semicolon instead of a comma?"],
  ["A comma splice is when two complete sentences are joined by only a comma.",
   "It's a common habit, and there are several easy ways to fix one."],
  ["Example of a comma splice: 'It was raining, we stayed inside.' Each half could stand as a sentence on its own.",
   "Fix it with a full stop: 'It was raining. We stayed inside.'",
   "A semicolon also works, since it joins two closely related complete sentences: 'It was raining; we stayed inside.'",
   "Adding a conjunction after the comma fixes it too: 'It was raining, so we stayed inside.'",
   "You can also make one half dependent: 'Because it was raining, we stayed inside.'",
   "Be careful with words like 'however': 'It was late, however we kept going' is still a splice. Use a semicolon before 'however'."])

T("writing", "concise_emails",
  ["How can I write shorter, clearer work emails?",
   "My emails are always way too long. How do I cut them down?",
   "Any tips for writing emails people will actually read?"],
  ["Most long emails can lose half their words without losing any meaning.",
   "Clear emails are mostly about putting the important part first."],
  ["Put your request or main point in the first one or two sentences. Background can come after, if it's needed at all.",
   "Use a subject line that says what you need, like 'Approval needed: Q3 venue by Friday', instead of 'Quick question'.",
   "Keep one topic per email. If there are several unrelated things, send separate messages.",
   "Delete warm-up phrases such as 'I just wanted to reach out to see if'. 'Could you' does the same job.",
   "If you need answers to several questions, number them so the reader can reply point by point.",
   "Before sending, reread it as the recipient. Ask: do they know exactly what to do and by when?"])

T("writing", "writers_block",
  ["How do I get past writer's block?",
   "I've been staring at a blank page for days. Any tips?",
   "I want to write fiction but I can never get started. Help?"],
  ["Writer's block is usually a sign you're trying to write and edit at the same time.",
   "Almost every writer gets stuck, and there are practical ways out."],
  ["Give yourself permission to write a bad first draft. Nobody sees it, and you can't edit a blank page.",
   "Set a small, fixed target, like 200 words or 20 minutes, and stop when you hit it. Small targets are easier to start.",
   "Skip the part you're stuck on. Write a later scene or the ending and come back.",
   "Change the setting: handwrite instead of typing, or work in a café or library for a change.",
   "Free-writing helps: write continuously for ten minutes about anything, without stopping to correct.",
   "Reading good writing in your genre often restarts the engine. Just don't let reading replace writing."])

T("writing", "self_editing",
  ["How do I edit my own writing effectively?",
   "I can never spot my own mistakes. How do editors do it?",
   "What's a good process for revising a draft?"],
  ["Self-editing is hard because your brain reads what you meant rather than what you wrote.",
   "Good editing is done in passes, each focused on one thing."],
  ["Leave the draft for at least a day before editing. Distance makes problems much easier to see.",
   "Do a big-picture pass first: structure, argument and order. Don't fix commas in a paragraph you might delete.",
   "Read it aloud. Clunky rhythm, missing words and overly long sentences become obvious.",
   "Change the format: print it or switch the font. It tricks your brain into reading it freshly.",
   "Keep a list of your personal habits, such as overusing 'just' or 'really', and search for them.",
   "For the final proofread, read backwards sentence by sentence so you focus on each line rather than the flow."])

T("writing", "affect_effect",
  ["What's the difference between affect and effect?",
   "I always mix up affect and effect. Is there a trick?",
   "When do I use 'affect' versus 'effect'?"],
  ["This trips up a lot of people, and there's a simple rule for most cases.",
   "Most of the time, the rule is: affect is a verb, effect is a noun."],
  ["'Affect' is usually a verb meaning to influence: 'The weather affected our plans.'",
   "'Effect' is usually a noun meaning a result: 'The weather had an effect on our plans.'",
   "A memory trick: RAVEN, which stands for Remember, Affect is a Verb, Effect is a Noun.",
   "There are exceptions. 'Effect' can be a verb meaning to bring about: 'to effect change' means to make change happen.",
   "'Affect' can be a noun in psychology, referring to someone's visible emotional expression, but that's rare in everyday writing.",
   "If you can put 'the' or 'an' in front of it, you probably want 'effect'."])

# --------------------------------------------------------------------------------------------
# Language learning
# --------------------------------------------------------------------------------------------
T("language", "vocab_memory",
  ["How do I remember vocabulary when learning a language?",
   "I learn new words and forget them a week later. What works better?",
   "What's the most effective way to memorise words in a new language?"],
  ["Forgetting is normal. The trick is to review words just as you're about to forget them.",
   "Memorising vocabulary works best when it's spaced out and used in context."],
  ["Spaced repetition flashcard apps show each word at increasing intervals, which is very efficient for long-term memory.",
   "Learn words in phrases rather than alone: 'to catch a train' sticks better than 'catch'.",
   "Make your own example sentences about your life. Personal connections make words more memorable.",
   "Focus on high-frequency words first. A few thousand common words cover most everyday conversation.",
   "Use new words actively, by writing a short diary entry or talking to yourself, rather than only reviewing.",
   "Short daily sessions of 15 to 20 minutes beat one long session a week."])

T("language", "speaking_confidence",
  ["I can read Spanish but freeze when I have to speak. How do I get over that?",
   "How do I get more confident speaking a foreign language?",
   "I'm too embarrassed to speak the language I'm learning. Any tips?"],
  ["This is extremely common; understanding always runs ahead of speaking.",
   "Speaking confidence comes from practice in low-pressure settings."],
  ["Start by talking to yourself: describe what you're doing while you cook or walk. There's no audience to worry about.",
   "Try a language exchange or a tutor on an online platform. They're used to beginners and it's their job to be patient.",
   "Prepare a few go-to phrases for buying time, like 'let me think' or 'how do you say...', so a pause feels less awkward.",
   "Accept mistakes as part of it. Native speakers generally care far more that you're trying than about perfect grammar.",
   "Shadowing helps: play a short audio clip and repeat it immediately, copying rhythm and intonation.",
   "Record yourself once a month. Hearing your progress is a big motivator."])

T("language", "adult_learner",
  ["Is it too late to learn a language at 45?",
   "Can adults actually become fluent in a new language?",
   "I'm in my fifties. Is learning French realistic?"],
  ["It isn't too late. Adults learn languages successfully all the time.",
   "Adults can absolutely learn languages; they just learn a bit differently from children."],
  ["Children tend to end up with a more native-like accent, but adults often learn grammar and vocabulary faster at first.",
   "Adults have advantages: better study habits, more life experience to connect words to, and clearer reasons for learning.",
   "Consistency matters much more than age. Regular practice over months will take you a long way.",
   "Set realistic goals: comfortable conversation is achievable for most learners, and fluency is a spectrum rather than a finish line.",
   "Choose materials that match your interests, like podcasts about cooking or history in the language, to keep it enjoyable.",
   "Many people find classes helpful for structure and motivation, especially alongside self-study."])

T("language", "new_script",
  ["How do I learn a new alphabet, like Cyrillic or Korean Hangul?",
   "Learning Japanese and the writing systems look impossible. Where do I start?",
   "Any tips for memorising a completely new writing system?"],
  ["New scripts look daunting, but many can be learned surprisingly quickly.",
   "The first week with a new script is the hardest; it gets much easier after that."],
  ["Korean Hangul was designed to be easy to learn, and many people can read it slowly after a few days of study.",
   "For Japanese, start with hiragana, then katakana. Each has 46 basic characters. Kanji come gradually over a much longer time.",
   "Mnemonics help: link each character's shape to a picture or sound you'll remember.",
   "Write characters by hand as well as reading them. Writing strengthens recognition.",
   "Practise reading real words early, such as menus, signs or place names, so you see the letters in context.",
   "Cyrillic has some 'false friends', like P sounding like R and H sounding like N, so focus on those first."])

T("language", "immersion_home",
  ["How can I immerse myself in a language without moving abroad?",
   "Do TV shows with subtitles actually help you learn a language?",
   "What are good ways to practise a language at home?"],
  ["You can build a lot of immersion into ordinary life at home.",
   "Films, shows and podcasts help a lot, especially if you use them actively."],
  ["Watch shows in the target language with target-language subtitles once you're past beginner level; it links sounds to spelling.",
   "Switch your phone's language settings. You already know where everything is, so it's painless daily exposure.",
   "Listen to podcasts aimed at learners, which speak slowly and explain things, before moving to native content.",
   "Read things slightly below your level, such as graded readers or children's books. Lots of easy reading builds fluency.",
   "Follow social media accounts in the language about topics you already enjoy.",
   "Passive listening helps a bit, but you learn far more when you pause, look things up and repeat phrases."])

# --------------------------------------------------------------------------------------------
# Gardening
# --------------------------------------------------------------------------------------------
T("gardening", "container_tomatoes",
  ["Can I grow tomatoes on a balcony?",
   "What's the best way to grow tomatoes in pots?",
   "My potted tomatoes produced hardly any fruit last year. What should I do differently?"],
  ["Tomatoes grow well in containers if they get enough sun, water and space.",
   "Balcony tomatoes can be very productive with a few adjustments."],
  ["Tomatoes need at least six to eight hours of direct sun a day. A shady balcony will give leafy plants with few fruit.",
   "Use a big pot, at least 20 litres per plant. Small pots dry out quickly and stress the plant.",
   "Choose compact or 'bush' varieties, or cherry tomatoes, which are generally easier in containers.",
   "Water deeply and consistently. Irregular watering leads to split fruit and a problem called blossom end rot.",
   "Once flowers appear, feed every week or two with a tomato fertiliser that's high in potassium.",
   "Tall varieties need a stake or cage, and removing side shoots on those helps the plant put energy into fruit."])

T("gardening", "overwatering",
  ["How do I know if I'm overwatering my houseplants?",
   "My houseplant has yellow leaves and soggy soil. What's going on?",
   "How often should I water indoor plants?"],
  ["Overwatering is the most common way houseplants die, so it's a good thing to check.",
   "Too much water causes more houseplant deaths than too little, so it pays to water by need rather than by the calendar."],
  ["Water when the top couple of centimetres of soil feel dry, rather than on a fixed schedule. Push a finger in to check.",
   "Make sure pots have drainage holes, and empty any water that collects in the saucer.",
   "Soggy soil, a musty smell, yellow lower leaves and soft, dark stems are signs of overwatering.",
   "If you suspect root rot, slide the plant out. Healthy roots are firm and pale; rotten ones are brown and mushy and can be trimmed off.",
   "Plants need much less water in winter, when growth slows and light is low.",
   "Lifting the pot is a good trick: a dry pot is noticeably lighter than a freshly watered one."])

T("gardening", "start_compost",
  ["How do I start composting at home?",
   "My compost heap smells awful. What am I doing wrong?",
   "What can and can't go in a compost bin?"],
  ["Composting is mostly about balancing two kinds of material and keeping air in the mix.",
   "Good compost needs the right mix of materials, some air and a bit of moisture; get those right and it won't smell."],
  ["Mix 'greens', like vegetable peelings, coffee grounds and grass clippings, with 'browns', like cardboard, dry leaves and paper.",
   "Aim for roughly equal volumes of greens and browns, or a bit more browns. Too many greens makes it slimy and smelly.",
   "Turn or stir the heap every few weeks to add air; that speeds things up and stops bad smells.",
   "Leave out meat, fish, dairy and cooked food in a standard home bin, as they attract pests.",
   "The heap should be about as damp as a wrung-out sponge. Add dry browns if it's soggy, water if it's dusty.",
   "Chopping material into smaller pieces helps it break down faster. Finished compost is dark and crumbly and smells earthy."])

T("gardening", "lawn_patches",
  ["How do I fix bare patches in my lawn?",
   "My lawn has brown, dead spots. Can I reseed them?",
   "What's the best time to repair a patchy lawn?"],
  ["Bare patches are very fixable, and timing makes a big difference.",
   "Reseeding small patches is a straightforward weekend job."],
  ["Early autumn or spring are the best times in temperate climates, when the soil is warm and moist but it isn't too hot.",
   "Rake out dead grass and loosen the top few centimetres of soil so seeds can make good contact.",
   "Sprinkle seed that matches your existing lawn, press it in lightly and cover with a thin layer of compost or topsoil.",
   "Keep the area consistently moist, with light watering daily, until the new grass is established. Letting it dry out kills seedlings.",
   "Keep people and pets off the patch for a few weeks, and don't mow until the new grass is several centimetres tall.",
   "It's worth working out the cause, whether it's heavy foot traffic, shade, dog urine or compacted soil, so the patch doesn't come back."])

T("gardening", "pruning_roses",
  ["When and how should I prune roses?",
   "I've inherited some roses and have no idea how to prune them.",
   "Is it possible to kill a rose by pruning it too hard?"],
  ["Roses are tough and generally forgive beginner pruning.",
   "Don't worry: roses are hard to kill by pruning, and a basic approach works for most types."],
  ["In most temperate climates, prune in late winter or early spring, just as buds start to swell.",
   "Start by removing anything dead, damaged or diseased, cutting back to healthy green wood.",
   "Cut about half a centimetre above an outward-facing bud, with a slanted cut so water runs off.",
   "Remove stems that cross through the middle, aiming for an open, vase-like shape that lets air circulate.",
   "Use clean, sharp secateurs. Ragged cuts heal slowly and invite disease.",
   "Climbing and rambling roses are pruned differently from bush roses, so check which type you have if they're against a wall."])

T("gardening", "leggy_seedlings",
  ["Why are my seedlings tall, thin and floppy?",
   "I started seeds on a windowsill and they're all leggy. What happened?",
   "How do I grow sturdy seedlings indoors?"],
  ["Leggy seedlings are stretching to find more light.",
   "Leggy, floppy seedlings are one of the most common problems when starting seeds indoors."],
  ["Even a bright windowsill often doesn't give enough light in early spring. A simple LED grow light a few centimetres above the seedlings makes a big difference.",
   "If you're using a windowsill, turn the tray every day so the seedlings don't all lean one way.",
   "Keep them a bit cooler once they've germinated. Warm conditions with low light encourage stretching.",
   "A gentle fan, or brushing your hand across the tops each day, helps stems grow thicker.",
   "Sowing too early is a common cause. Check the packet and count back from your last frost date.",
   "Tomato seedlings that are leggy can be replanted deeper, as they grow roots along the buried stem."])

T("gardening", "slugs",
  ["How do I stop slugs eating my vegetables without using chemicals?",
   "Slugs are destroying my lettuces. What can I do?",
   "Are there wildlife-friendly ways to deal with slugs?"],
  ["Slugs are hard to eliminate, but you can reduce the damage a lot.",
   "The most effective approach combines a few different methods."],
  ["Go out with a torch on damp evenings and pick them off. It's tedious but very effective.",
   "Water in the morning rather than the evening, so the soil surface is drier at night when slugs are active.",
   "Encourage predators like frogs, toads, hedgehogs and birds, for example with a small pond or log pile.",
   "Copper tape around pots and raised beds can deter them, though results vary.",
   "Start seedlings indoors and plant them out when bigger. Young plants are the most vulnerable.",
   "A board or upturned half grapefruit on the soil makes a daytime hiding spot, so you can collect slugs from underneath in the morning."])

# --------------------------------------------------------------------------------------------
# Pets (behaviour and care routines, not veterinary advice)
# --------------------------------------------------------------------------------------------
T("pets", "puppy_toilet",
  ["How do I house-train a new puppy?",
   "Our puppy keeps having accidents inside. How do we toilet train her?",
   "What's the fastest way to toilet train a puppy?"],
  ["House-training is mostly about routine and being quicker than the puppy.",
   "Accidents are normal for the first weeks; consistency is what fixes them."],
  ["Take the puppy outside first thing in the morning, after every meal, after naps and play, and last thing at night.",
   "Young puppies may need to go out every hour or two while awake. Their bladders are small.",
   "Praise and give a small treat the moment they finish outside, so they link going there with good things.",
   "Don't punish accidents. It just teaches the puppy to hide when they go. Clean up calmly.",
   "Use an enzymatic cleaner on indoor accidents. Ordinary cleaners can leave a smell that draws the puppy back to the same spot.",
   "Use the same spot outside and the same phrase each time, such as 'go potty', so they learn the cue."])

T("pets", "cat_scratching",
  ["How do I stop my cat scratching the sofa?",
   "My cat is shredding the furniture. What can I do?",
   "Why do cats scratch furniture and how do I redirect it?"],
  ["Scratching is a natural need for cats, so the aim is to redirect it rather than stop it.",
   "Cats scratch to keep their claws in shape, stretch and leave scent marks, so they need somewhere allowed to do it."],
  ["Provide a tall, sturdy scratching post that doesn't wobble. Many cats ignore posts that are too short or unstable.",
   "Place the post right next to the sofa at first, since that's where the cat already wants to scratch.",
   "Try different textures: some cats prefer sisal rope, others cardboard, and some like horizontal scratchers.",
   "Make the sofa less appealing temporarily with a throw, double-sided tape or foil on the favourite spot.",
   "Reward your cat with praise or a treat when they use the post, and rub a little catnip on it if they like it.",
   "Trimming the claws regularly reduces damage; a vet or groomer can show you how to do it safely."])

T("pets", "leash_pulling",
  ["How do I stop my dog pulling on the lead?",
   "Walking my dog is exhausting because he pulls constantly. Any tips?",
   "What's the best way to teach loose-lead walking?"],
  ["Pulling works for dogs because it gets them where they want to go, so training is about making it not work.",
   "Loose-lead walking takes patience, but it's very trainable at any age."],
  ["When the lead goes tight, stop and stand still. Move forward again only when it's slack.",
   "Reward your dog with a treat when they're walking beside you. Reward often at first.",
   "Practise in a quiet place, like the garden or a hallway, before trying on busy streets.",
   "Change direction often. It teaches the dog to pay attention to where you're going.",
   "A well-fitted front-clip harness can reduce pulling while you train, without hurting the dog.",
   "Give your dog time to sniff on walks. It's mentally tiring for them in a good way, and a satisfied dog pulls less."])

T("pets", "introduce_cats",
  ["How do I introduce a new cat to my resident cat?",
   "We're getting a second cat. How do we make sure they get along?",
   "My two cats hiss at each other. Did we introduce them wrong?"],
  ["Cat introductions go best when they're slow, often taking a couple of weeks.",
   "Hissing at first is normal; a gradual introduction gives them the best chance."],
  ["Keep the new cat in a separate room with its own litter tray, food, water and hiding spots for the first several days.",
   "Swap bedding between the cats so they get used to each other's scent before they meet.",
   "Feed them on either side of a closed door, gradually moving the bowls closer as they stay relaxed.",
   "Once they're relaxed about each other's scent, let them see each other through a baby gate or a door opened a crack, for short sessions.",
   "Have enough resources: a common guideline is one litter tray per cat plus one, and separate feeding places.",
   "If things go badly, go back a step rather than forcing it. Some pairs take a month or more."])

T("pets", "aquarium_cycling",
  ["I just set up a fish tank. When can I add fish?",
   "What does 'cycling' an aquarium mean?",
   "My new fish keep dying in a brand new tank. Why?"],
  ["New tanks need time to build up beneficial bacteria before they can safely hold fish.",
   "The first weeks of a new tank are the riskiest time for fish, a problem often called new tank syndrome."],
  ["Fish produce ammonia, which is toxic. Bacteria in the filter convert ammonia to nitrite and then to much less harmful nitrate.",
   "Filter bacteria take several weeks to establish, and 'cycling' a tank means letting them grow before adding many fish.",
   "You can cycle without fish by adding a small source of ammonia and testing water until ammonia and nitrite both read zero.",
   "A liquid water test kit is more reliable than test strips and is worth having.",
   "Add fish gradually, a few at a time, so the bacteria can keep up.",
   "Rinse the filter sponge in old tank water rather than tap water, which can kill the bacteria."])

T("pets", "dog_home_alone",
  ["My dog barks and howls when I leave the house. What can I do?",
   "How do I get my dog used to being left alone?",
   "Our rescue dog panics when we go out. Any advice?"],
  ["Many dogs find being alone hard, and gradual practice is the usual approach.",
   "This is common, especially with rescue dogs, and patience usually pays off."],
  ["Start with very short absences, even a few seconds outside the door, and build up slowly as the dog stays calm.",
   "Keep departures and returns low-key so leaving doesn't feel like a big event.",
   "A long-lasting chew or a food puzzle toy given as you leave can create a positive association.",
   "Make sure the dog has had exercise and a chance to sniff and explore before you leave, so they're more likely to rest.",
   "A camera lets you see what actually happens when you're gone and whether things are improving.",
   "If it's severe or not improving, a qualified animal behaviourist can help you create a step-by-step plan."])

# --------------------------------------------------------------------------------------------
# Home repair
# --------------------------------------------------------------------------------------------
T("home", "dripping_tap",
  ["How do I fix a dripping tap?",
   "My kitchen tap won't stop dripping. Can I fix it myself?",
   "Is a dripping tap a DIY job or do I need a plumber?"],
  ["A dripping tap is usually a worn washer or cartridge and is often a manageable DIY job.",
   "Many dripping taps can be fixed at home with basic tools."],
  ["Turn off the water supply first, using the isolation valve under the sink or the main stopcock, then open the tap to drain it.",
   "Put the plug in the sink so small parts can't fall down the drain.",
   "Older taps with separate hot and cold handles usually have rubber washers that wear out; replacing one is cheap.",
   "Modern mixer taps often use ceramic cartridges. Take the old one to a hardware shop to get an exact match.",
   "Take photos as you dismantle it so you can put it back together in the right order.",
   "If the valve won't turn, parts are corroded, or you're unsure, a plumber is worth it. Forcing old fittings can cause a leak."])

T("home", "drywall_hole",
  ["How do I patch a hole in a plasterboard wall?",
   "I accidentally put a doorknob through the wall. How do I fix it?",
   "What's the easiest way to repair small holes in walls before painting?"],
  ["Holes in plasterboard look worse than they are, and even large ones can be patched neatly.",
   "The method depends on the size of the hole."],
  ["For nail and screw holes, a little ready-mixed filler pressed in with a filling knife, left to dry and sanded smooth, is enough.",
   "For holes a few centimetres across, a self-adhesive mesh patch covered with a couple of thin layers of filler works well.",
   "For bigger holes, cut a neat square, fix a piece of wood behind as a backing, screw in a new piece of plasterboard and fill the joints.",
   "Check for pipes and cables before cutting. A cheap detector helps, and avoid areas directly above or below sockets and switches.",
   "Apply several thin coats rather than one thick one; thick filler cracks and takes forever to dry.",
   "Prime the repaired patch before painting, otherwise it can show through as a dull spot."])

T("home", "squeaky_door",
  ["How do I stop a door squeaking?",
   "My bedroom door creaks every time I open it. Quick fix?",
   "What's the best lubricant for squeaky door hinges?"],
  ["A squeaky door is almost always a dry hinge pin, and it's a five-minute fix.",
   "You can usually fix this with things you already have."],
  ["Lift the hinge pin out partway by tapping it upwards with a screwdriver and hammer, then lubricate it.",
   "A little general-purpose oil or silicone spray works well. Some people use petroleum jelly, which lasts.",
   "Wipe off excess lubricant so it doesn't attract dust or drip on the floor.",
   "Open and close the door several times to work the lubricant in.",
   "Do one hinge at a time so the door stays supported.",
   "If the door also sticks or rubs, check whether the hinge screws have loosened and tighten them."])

T("home", "running_toilet",
  ["My toilet keeps running after it flushes. How do I fix it?",
   "Why does my toilet cistern keep refilling on its own?",
   "Is a constantly running toilet something I can fix myself?"],
  ["A running toilet usually has one of two causes, and both are usually easy to check.",
   "It's worth fixing quickly, as it can waste a lot of water."],
  ["Lift the cistern lid and watch a flush. Water usually leaks past a worn seal at the bottom, or the fill valve doesn't shut off.",
   "If water keeps trickling into the bowl, the flush valve washer or flapper may be worn. Replacement parts are inexpensive.",
   "If the water level rises into the overflow, the fill valve may need adjusting so it shuts off lower.",
   "A few drops of food colouring in the cistern helps: if colour appears in the bowl without flushing, the seal is leaking.",
   "Turn off the water at the isolation valve near the toilet before taking anything apart.",
   "Take a photo of the mechanism or note the brand before buying parts, since designs vary a lot."])

T("home", "painting_room",
  ["How do I paint a room so it looks professional?",
   "What prep do I need to do before painting a room?",
   "First time painting a wall. Any tips for a clean finish?"],
  ["A professional look comes almost entirely from preparation.",
   "Most painting disasters happen before the paint even comes out."],
  ["Wash the walls with warm soapy water, especially in kitchens, since grease stops paint sticking.",
   "Fill holes and cracks, let the filler dry, sand it smooth and wipe away the dust.",
   "Use decent masking tape along edges and remove it while the last coat is still slightly wet for a clean line.",
   "Cut in around edges with a brush first, then roll the main areas while the edges are still wet to avoid visible lines.",
   "Two thin coats look much better than one thick one. Leave the recommended drying time between them.",
   "Keep windows open for ventilation, and protect the floor with drop cloths rather than thin plastic that slips."])

T("home", "bathroom_sealant",
  ["How do I replace the mouldy sealant around my bath?",
   "The silicone around my shower is black and disgusting. Can I redo it?",
   "What's the trick to getting a neat line of bathroom sealant?"],
  ["Mould often grows into silicone and can't be cleaned out, so replacing it is the right call.",
   "Resealing a bath is a very doable job with a bit of patience."],
  ["Cut out the old sealant with a sharp blade or a sealant removal tool, then remove the residue completely.",
   "Clean the joint and let it dry fully. Silicone won't bond properly to damp or dirty surfaces.",
   "Fill the bath with water before sealing. It settles to its loaded position, which helps stop the new seal cracking.",
   "Put masking tape either side of the joint for a neat line, apply the sealant and smooth it with a wet finger or a profiling tool.",
   "Once the bead is smoothed, peel any masking tape off straight away, then leave the sealant to cure for the time on the tube, often 24 hours, before using the shower.",
   "Use a sanitary silicone with a mould inhibitor, and ventilate the bathroom well after showers to slow regrowth."])

T("home", "draughty_windows",
  ["How can I stop draughts coming through my old windows?",
   "My house is freezing because the windows are draughty. What can I do?",
   "Are there cheap ways to draught-proof windows in a rented flat?"],
  ["There are several inexpensive fixes, and many are removable, which suits rented homes.",
   "Draughts are often the cheapest thing to improve in an old house."],
  ["Find the draughts first: on a windy day, hold a lit incense stick or a damp hand near the frame and feel for air movement.",
   "Self-adhesive foam or rubber strips around the opening parts of the window seal gaps and are easy to fit.",
   "Thick lined curtains that reach the sill or floor make a surprising difference, especially if closed at dusk.",
   "Removable secondary glazing film, applied with double-sided tape and tightened with a hairdryer, adds an insulating air layer.",
   "Check around the frame where it meets the wall. Gaps there can be filled with a suitable flexible sealant.",
   "In a rented flat, ask your landlord before anything permanent, but most of these options can be removed without damage."])

# --------------------------------------------------------------------------------------------
# Programming concepts (no security content)
# --------------------------------------------------------------------------------------------
T("programming", "recursion",
  ["Can you explain recursion in simple terms?",
   "I'm learning to code and recursion makes my head spin. How should I think about it?",
   "What's recursion and when would I use it?"],
  ["Recursion is when a function solves a problem by calling itself on a smaller version of the same problem.",
   "Recursion feels strange at first, but it becomes natural after a couple of examples."],
  ["Every recursive function needs a base case, a situation simple enough to answer directly, otherwise it would call itself forever.",
   "Every recursive function also needs a recursive step that moves towards the base case, for example by working on a shorter list or a smaller number.",
   "A classic example is factorial: factorial(n) is n times factorial(n - 1), and factorial(1) is 1.",
   "Recursion is natural for tree-shaped data, such as folders inside folders or nested comments.",
   "Trust the function: assume the smaller call works correctly and only think about how to use its result.",
   "In many languages, very deep recursion can exceed the call stack limit, so loops are sometimes a better choice for long sequences."])

T("programming", "git_branches",
  ["What are git branches and why should I use them?",
   "I'm new to git. What's the point of branching?",
   "Can you explain git merge versus rebase simply?"],
  ["Branches let you work on something without disturbing the main version of your code.",
   "Branching is one of the most useful ideas in git once it clicks."],
  ["A branch is essentially a movable label pointing at a commit. Creating one is cheap and fast.",
   "The usual workflow is to create a branch for each feature or fix, work there, and merge it back when it's ready.",
   "If an experiment doesn't work out, you can just delete the branch and main is untouched.",
   "Merging combines two branches and records a merge commit, preserving exactly what happened; rebasing instead replays your commits on top of the other branch, giving a cleaner, linear history.",
   "Branches make code review easier, because a teammate can look at all the changes for one feature in one place before it's merged.",
   "A common rule of thumb is not to rebase commits that others have already pulled, because it rewrites history they depend on."])

T("programming", "big_o",
  ["What does Big O notation mean?",
   "Can you explain O(n) versus O(n squared) in plain English?",
   "Why do programmers care about time complexity?"],
  ["Big O describes how the work an algorithm does grows as the input gets bigger.",
   "It's a way of talking about how well code scales, not how fast it runs on one input."],
  ["O(n) means the work grows in proportion to the input: twice as many items, roughly twice as long. Looping through a list once is O(n).",
   "O(n squared) usually comes from a loop inside a loop. Doubling the input makes it about four times slower.",
   "O(1) means constant time regardless of size, like looking up a value in a hash map on average.",
   "O(log n) grows very slowly. Binary search on a sorted list of a million items needs only about 20 steps.",
   "Big O ignores constants and smaller terms, so an O(n) algorithm can still be slower than an O(n squared) one on small inputs.",
   "Complexity matters most when data gets large: code that's fine on 100 rows may be painfully slow on a million."])

T("programming", "classes_objects",
  ["What's the difference between a class and an object?",
   "Can you explain object-oriented programming simply?",
   "I don't get why we need classes in Python. What are they for?"],
  ["A class is a blueprint, and an object is a particular thing built from that blueprint.",
   "Classes are a way of bundling data together with the functions that work on that data."],
  ["For example, a Dog class might define that every dog has a name and an age and can bark. Each actual dog you create is an object.",
   "Objects keep related data and behaviour together, so you don't pass lots of loose variables around.",
   "Inheritance lets a class reuse another's behaviour, such as a GuideDog class built on Dog, though it's best used sparingly.",
   "You don't always need classes. In Python, simple functions and dictionaries are fine for small scripts.",
   "Classes become useful when you have many similar things with their own state, like players in a game or accounts in an app.",
   "A good way to learn is to take a small program you've written with functions and try restructuring part of it as a class."])

T("programming", "debugging",
  ["How do experienced programmers debug code?",
   "My code doesn't work and I have no idea why. How should I approach it?",
   "Any tips for getting better at debugging?"],
  ["Debugging is a skill, and it's mostly about being systematic rather than clever.",
   "Good debugging means narrowing down where the problem is before trying to fix it."],
  ["Read the error message carefully, including the line number and the full traceback. It often tells you more than people expect.",
   "Reproduce the problem reliably with the smallest possible input. A bug you can trigger on demand is half solved.",
   "Check your assumptions by printing variables or using a debugger to step through the code line by line.",
   "Narrow it down by halves: comment out or test sections until you find where correct behaviour turns into wrong behaviour.",
   "Explain the code line by line to someone, or even to a rubber duck. Saying it aloud often reveals the mistake.",
   "Change one thing at a time, and take a short break if you're stuck. Fresh eyes catch obvious errors."])

T("programming", "first_language",
  ["Which programming language should I learn first?",
   "I want to learn to code. Python or JavaScript?",
   "What's the best first language for a complete beginner?"],
  ["The best first language is the one that fits what you want to build, though a couple are especially beginner-friendly.",
   "There's no wrong choice here, and the concepts transfer once you learn one."],
  ["Python is a popular first choice because its syntax is readable and it's used widely for automation, data and science.",
   "JavaScript is a great choice if you want to build websites, since it runs in every browser and you see results immediately.",
   "Pick a small project you care about, like a to-do list, a game or a script that renames your photos. Projects keep you motivated.",
   "Learning the fundamentals, such as variables, loops, functions and data structures, matters more than the specific language.",
   "Practice consistently, even 30 minutes a day, and write code rather than only watching tutorials.",
   "Your second language will be much easier than the first, so don't worry about choosing perfectly."])

T("programming", "what_is_api",
  ["What is an API?",
   "People at work keep saying 'API'. What does it actually mean?",
   "Can you explain APIs with an analogy?"],
  ["API stands for Application Programming Interface: a defined way for one piece of software to talk to another.",
   "An API is a menu of requests one program can make to another, plus the format of the answers."],
  ["A restaurant analogy: you don't go into the kitchen, you order from a menu through a waiter. The menu and waiter are the API.",
   "A weather app on your phone typically asks a weather service's API for data and then displays it.",
   "Web APIs often send data in a format called JSON, which is readable text structured as keys and values.",
   "APIs let companies share functionality without sharing their internal code, like a maps service embedded in another website.",
   "Programming libraries have APIs too: the functions and classes they expose are their interface.",
   "Good APIs are documented, so developers know which requests exist and what they return."])

# --------------------------------------------------------------------------------------------
# Careers (no pay or money advice)
# --------------------------------------------------------------------------------------------
T("careers", "tell_me_about_yourself",
  ["How should I answer 'tell me about yourself' in a job interview?",
   "I always ramble when interviewers ask me to introduce myself. Any structure?",
   "What do interviewers want to hear when they say 'walk me through your CV'?"],
  ["This question is an invitation to give a short, relevant story, not your life history.",
   "Interviewers mostly want to hear a clear, confident summary linked to the job."],
  ["A simple structure is present, past, future: what you do now, relevant experience that got you here, and why this role is the next step.",
   "Aim for about 60 to 90 seconds. Practise out loud, but don't memorise it word for word or it will sound rehearsed.",
   "Pick one or two achievements that relate directly to the job description and mention them briefly.",
   "Leave out personal details like family or age unless they're relevant. Keep it professional but warm.",
   "End by linking back to the role, for example 'which is why this position really appeals to me'.",
   "Record yourself answering on your phone. It's uncomfortable, but you'll quickly spot filler words and rambling."])

T("careers", "career_change",
  ["Is it realistic to change careers at 40?",
   "I want to leave teaching and do something completely different. Where do I start?",
   "How do I figure out what career to switch to?"],
  ["Career changes at 40 and beyond are common, and your existing experience is an asset.",
   "It's a big decision, and it helps to explore before committing."],
  ["List the parts of your current job you enjoy and the parts you don't. That points to what to look for next.",
   "Talk to people already doing the jobs you're considering. A few informational chats are the best reality check.",
   "Identify transferable skills. Teachers, for example, bring communication, planning and managing groups, which are valued in many fields.",
   "Try it in small ways first: a short course, volunteering, a side project or shadowing someone for a day.",
   "Check what qualifications the new field really needs. Sometimes it's less than you fear, sometimes more.",
   "Expect it to take time, often a year or more, and be kind to yourself about feeling like a beginner again."])

T("careers", "asking_feedback",
  ["How do I ask my manager for feedback without it being awkward?",
   "I never know how I'm doing at work. How do I get honest feedback?",
   "My boss only says 'good job'. How do I get more useful feedback?"],
  ["Asking for feedback is a good habit, and specific questions get much more useful answers.",
   "Vague questions get vague answers, so the trick is to be concrete."],
  ["Ask about something specific: 'What's one thing I could have done better in yesterday's presentation?'",
   "Ask for feedback regularly, in one-to-ones, rather than only at annual reviews.",
   "Give your manager notice if you want a proper discussion, so they can think about it first.",
   "When you get criticism, say thank you and ask clarifying questions rather than defending yourself in the moment.",
   "Follow up later to show you acted on it. That makes people much more willing to give honest feedback again.",
   "Peers can be a great source too; colleagues often see your day-to-day work more than your manager does."])

T("careers", "networking_introvert",
  ["I'm an introvert and I hate networking. How do I do it anyway?",
   "Networking events make me really anxious. Are there other ways to build contacts?",
   "How do I network without feeling fake?"],
  ["Networking doesn't have to mean working a crowded room. Many introverts are good at it in their own way.",
   "It helps to think of networking as building a few genuine relationships rather than collecting contacts."],
  ["Focus on one-to-one conversations, like coffee or a video call, which usually suit introverts better than big events.",
   "At events, set a small goal such as two real conversations, then feel free to leave.",
   "Ask people questions about their work. Most people enjoy talking about what they do, and you get to listen.",
   "Keep in touch in low-key ways, like sending an article you think someone would like.",
   "Online communities, forums and professional groups in your field are a good way in.",
   "Offer help as well as asking for it. Networking feels less fake when it's mutual."])

T("careers", "cv_gap",
  ["How do I explain a gap in my CV?",
   "I took two years off to care for my mum. How do I explain that to employers?",
   "Will a career break hurt my job applications?"],
  ["Career gaps are very common, and a short, honest explanation is usually all that's needed.",
   "Most employers care far more about what you can do now than about the gap itself."],
  ["Be honest and brief. One line on the CV, like 'Career break, family caring responsibilities', is enough.",
   "You don't need to share private details. A calm, simple explanation in the interview is fine.",
   "Mention any skills you used or learned during the break, such as organising, volunteering or a course.",
   "After a brief explanation, move the conversation forward to why you're ready now and what you bring to the role.",
   "A skills-based CV format, which groups experience by skill rather than by date, can help in some cases.",
   "Some organisations run 'returner' programmes designed for people coming back after a break."])

T("careers", "first_week",
  ["Starting a new job next week. How do I make a good impression?",
   "What should I focus on in my first month in a new role?",
   "Any tips for the first few weeks at a new company?"],
  ["The first weeks are mostly about listening, learning and building relationships.",
   "Congratulations on the new job. A few habits make a strong start."],
  ["Ask lots of questions. People expect it from new starters, and it's much better than guessing.",
   "Write things down: names, processes, logins and acronyms. You'll get a lot thrown at you at once.",
   "Arrange short chats with the people you'll work with most, to learn what they do and how you can help each other.",
   "Agree with your manager early on what success looks like in your first few months.",
   "Look for a small early win you can deliver reliably, rather than trying to change everything at once.",
   "Observe how the team communicates, such as email versus chat and formal versus casual, and match it."])

T("careers", "difficult_coworker",
  ["How do I deal with a coworker who keeps taking credit for my work?",
   "There's a colleague who constantly interrupts me in meetings. What should I do?",
   "How do I handle a difficult colleague without making it worse?"],
  ["Difficult colleagues are stressful, and a calm, direct approach usually works better than stewing or escalating straight away.",
   "It's worth trying a private, low-key conversation first."],
  ["Talk to them privately and focus on specific behaviour, not their character: 'In Tuesday's meeting, I was cut off before finishing.'",
   "Assume good intent at first. Some people don't realise how they come across.",
   "Make your contributions visible, for example by sending a short summary email after you complete work.",
   "In meetings, it's fine to say calmly, 'I'd like to finish my point', and carry on.",
   "Keep brief notes of incidents with dates, in case you need to raise it later.",
   "If it continues or affects your work, raise it with your manager, focusing on the impact rather than the person."])

# --------------------------------------------------------------------------------------------
# Relationships and etiquette
# --------------------------------------------------------------------------------------------
T("etiquette", "decline_wedding",
  ["How do I politely decline a wedding invitation?",
   "I can't go to a friend's wedding. How do I say no without offending them?",
   "Is it rude to decline a wedding invite without a reason?"],
  ["Declining a wedding invitation is perfectly acceptable if it's done promptly and warmly.",
   "You can decline gracefully; people understand that not everyone can attend."],
  ["Reply as early as you can, and by the RSVP date, so the couple can plan numbers.",
   "You don't have to give a detailed reason. 'Unfortunately we can't make it, but we'll be thinking of you' is enough.",
   "For a close friend, a phone call or personal message before the formal RSVP is a kind touch.",
   "Sending a card or small gift is a nice gesture, though not required if you're not close.",
   "Avoid a made-up excuse that might unravel later; vague but true is better than detailed but false.",
   "Suggest meeting up with them before or after the wedding to celebrate."])

T("etiquette", "apologise_friend",
  ["How do I apologise to a friend I hurt?",
   "I said something hurtful to my best friend. How do I make it right?",
   "What makes an apology actually sincere?"],
  ["A good apology is short, specific and doesn't ask for anything in return.",
   "It's a good sign that you want to make it right. Sincere apologies have a few key parts."],
  ["Name what you did specifically: 'I'm sorry I made fun of your new job in front of everyone.'",
   "Acknowledge the impact: 'I can see it embarrassed you, and that wasn't fair.'",
   "Avoid 'I'm sorry if you were offended' or 'but'. Both shift the focus away from what you did.",
   "Say what you'll do differently, and then actually do it.",
   "Give them space to respond in their own time. They don't owe you instant forgiveness.",
   "Apologise in person or by a call if you can; a text can feel too easy for something significant."])

T("etiquette", "adult_friends",
  ["How do you make friends as an adult?",
   "I moved to a new city and don't know anyone. How do I meet people?",
   "All my friends have moved away. How do I build a social life in my thirties?"],
  ["Making friends as an adult takes more deliberate effort than at school, and that's normal.",
   "It can feel lonely at first, but there are reliable ways to meet people."],
  ["Join something that meets regularly, like a choir, book club, language class or volunteering group. Repeated contact is what builds friendships.",
   "Be the one who suggests a follow-up: 'Would you like to get coffee after this next week?' Most people are glad to be asked.",
   "Say yes to invitations, even ones that seem a bit dull. You never know who you'll meet.",
   "Friendship takes time. Research suggests it takes many hours together to go from acquaintance to close friend.",
   "Reconnect with old acquaintances who live nearby. A quick message can restart things.",
   "Be patient with yourself. Some attempts won't click, and that's not a reflection on you."])

T("etiquette", "family_boundaries",
  ["How do I set boundaries with my parents without hurting them?",
   "My mother-in-law drops by unannounced constantly. How do I raise it kindly?",
   "How do I say no to family without feeling guilty?"],
  ["Boundaries are about what you will do, not about controlling others, and they can be set kindly.",
   "It's possible to be loving and firm at the same time."],
  ["Be clear and specific: 'Please text before coming over, because we're often busy in the evenings.'",
   "Choose a calm moment to bring it up, not in the middle of a frustrating visit.",
   "If you have a partner, agree on the boundary together first, and let the person whose family it is lead the conversation.",
   "Explain briefly but don't over-justify. Long explanations invite debate.",
   "Expect some pushback at first and repeat the boundary kindly. Consistency matters more than the first conversation.",
   "Guilt is normal when you change a pattern. It doesn't mean you're doing something wrong."])

T("etiquette", "thank_you_notes",
  ["Are thank-you notes still a thing? When should I send one?",
   "How do I write a thank-you note that doesn't sound generic?",
   "Should I send a thank-you email after a job interview?"],
  ["Thank-you notes are still appreciated, perhaps more so because they're less common now.",
   "A short, specific note goes a long way."],
  ["Good moments for a note include gifts, hospitality, a favour or someone's help with something important.",
   "Mention the specific thing and how you've used or enjoyed it: 'The cookbook has already given us three dinners.'",
   "Keep it short, three or four sentences is plenty.",
   "Send it within a week or two if you can, but a late note is better than none.",
   "After an interview, a brief email the same day or the next, thanking them and mentioning something you discussed, is a good idea.",
   "Handwritten notes feel especially personal, but a thoughtful email or message is perfectly fine for most occasions."])

T("etiquette", "housemate_chores",
  ["How do I get my housemates to do their share of the cleaning?",
   "My flatmate never washes up. How do I bring it up?",
   "What's a fair way to split chores in a shared house?"],
  ["Chore disputes are one of the most common housemate problems, and a clear system usually fixes them.",
   "Talking about it early is much easier than letting resentment build."],
  ["Have a house meeting rather than confronting one person in the moment. It feels less like an accusation.",
   "Agree on what 'clean' means. People have very different standards, so be specific about tasks.",
   "A rota on the fridge or a shared app makes responsibilities visible and reduces arguments.",
   "Consider splitting by preference: some people hate bins but don't mind bathrooms.",
   "Use 'I' statements: 'I find it hard to cook when the sink is full' lands better than 'You never wash up.'",
   "Review the system after a month and adjust it. The first version rarely works perfectly."])

T("etiquette", "small_talk",
  ["How do I get better at small talk?",
   "I never know what to say at parties. Any conversation tips?",
   "How do I keep a conversation going with someone I just met?"],
  ["Small talk is a skill, and it mostly comes down to curiosity and a few reliable moves.",
   "Good conversation is much more about listening than about being interesting."],
  ["Ask open questions that can't be answered with yes or no, like 'How do you know the host?' or 'What's keeping you busy lately?'",
   "Pick up on details in their answers and ask follow-ups. It shows you're listening.",
   "Share a little about yourself in return, so it doesn't feel like an interview.",
   "The setting is an easy starting point: the food, the venue or how you got there.",
   "It's fine to end a conversation politely: 'It was lovely chatting, I'm going to grab a drink.'",
   "Have a few light topics in your back pocket, such as a recent film, a trip or a hobby."])

# --------------------------------------------------------------------------------------------
# Hobbies
# --------------------------------------------------------------------------------------------
T("hobbies", "learn_knitting",
  ["I want to learn to knit. Where do I start?",
   "What do I need to buy to start knitting?",
   "Is knitting hard to learn as a total beginner?"],
  ["Knitting is very learnable, and you only need two basic stitches to make real things.",
   "You can get started with very little equipment."],
  ["Start with medium-weight yarn in a light, smooth colour, so you can see your stitches clearly.",
   "A pair of 4.5 to 5 mm needles, bamboo or wood, is a good beginner choice because the yarn doesn't slip off as easily.",
   "Learn to cast on, the knit stitch and casting off first. Then add the purl stitch.",
   "A scarf or a dishcloth is a classic first project. It's just rows, with no shaping.",
   "Video tutorials are very helpful, because it's easier to see hand movements than read about them.",
   "Uneven stitches and dropped stitches are part of learning. Your tension will even out with practice."])

T("hobbies", "improve_chess",
  ["How do I get better at chess?",
   "I've played chess casually for years but never improve. What should I do?",
   "What's the best way for a beginner to study chess?"],
  ["Most improvement at club level comes from fewer blunders rather than deep opening knowledge.",
   "Improving at chess is about practising the right things."],
  ["Solve tactics puzzles regularly. Pattern recognition for forks, pins and skewers wins most amateur games.",
   "Before each move, check what your opponent's last move threatens. That habit alone prevents many blunders.",
   "Play longer games, such as 15 minutes or more each, and review them afterwards to find your mistakes.",
   "Learn basic endgames, such as checkmating with a king and queen, or king and rook against king.",
   "Don't memorise long opening lines. Learn the principles: control the centre, develop pieces, castle early.",
   "Playing against slightly stronger opponents and asking them what you did wrong is very instructive."])

T("hobbies", "photo_composition",
  ["How can I take better photos with my phone?",
   "My photos always look boring. Any composition tips?",
   "What are the basics of photo composition?"],
  ["Good composition matters far more than expensive equipment.",
   "A few simple principles will noticeably improve your photos."],
  ["Try the rule of thirds: imagine a grid of three by three and place your subject on one of the lines or intersections. Most phones can show a grid.",
   "Pay attention to light. Early morning and late afternoon give softer, warmer light than midday sun.",
   "Get closer. Filling the frame with your subject is usually more striking than a small subject in a big scene.",
   "Check the background for distractions, like a lamppost growing out of someone's head.",
   "Change your angle: crouch down, shoot from above, or frame your subject through a doorway or branches.",
   "Clean your phone's lens. A fingerprint smudge is the most common reason for hazy photos."])

T("hobbies", "birdwatching",
  ["How do I get into birdwatching?",
   "What do I need to start birdwatching?",
   "Any tips for identifying birds as a beginner?"],
  ["Birdwatching is easy to start and you can begin in your own garden or local park.",
   "You need very little to get started; patience is the main ingredient."],
  ["A pair of 8x42 binoculars is a common all-round choice, bright and not too heavy.",
   "Get a field guide or an app for your region. Some apps can identify birds from song recordings.",
   "Start by learning the common birds near you well. It makes the unusual ones stand out.",
   "Notice size, shape, behaviour and where the bird is, not just colour. Those often identify a bird faster.",
   "Early morning is usually the most active time, especially in spring.",
   "Join a local birding group or guided walk. Experienced birders are usually happy to share what they know."])

T("hobbies", "board_games",
  ["Can you recommend board games for a group that doesn't usually play them?",
   "What are good board games for a family with teenagers?",
   "Which board games are easy to learn but still fun?"],
  ["There are plenty of modern games that are quick to learn and work well for mixed groups.",
   "Great choice of hobby. The best picks depend on group size and how competitive people are."],
  ["Codenames is a word-association party game in teams and works well for groups of four to eight.",
   "Ticket to Ride, where you build train routes, is a classic gateway game with simple rules and a bit of tension.",
   "Carcassonne, a tile-laying game about building a landscape, works well for two to five players and lasts under an hour.",
   "Cooperative games like Pandemic or Forbidden Island are good if some people dislike direct competition.",
   "Dixit, a storytelling game with dreamlike picture cards, is good for creative groups and younger players.",
   "Teach by playing an open practice round rather than reading the whole rulebook aloud first."])

T("hobbies", "watercolour",
  ["I want to try watercolour painting. What do I need?",
   "My watercolours always turn muddy. What am I doing wrong?",
   "Any beginner tips for watercolour painting?"],
  ["Watercolour can be tricky at first, but a few basics make a big difference.",
   "Watercolour rewards a few good habits, and most beginner problems, like muddy colours, have simple causes."],
  ["Good paper matters more than expensive paint. Use proper watercolour paper, ideally 300 gsm, which doesn't buckle as much.",
   "A small set of student-grade paints and two or three round brushes is enough to start.",
   "Mud usually comes from mixing too many colours or overworking wet paint. Mix no more than two or three colours at once.",
   "Let layers dry completely before painting over them, or the colours will blend into each other.",
   "Keep two water jars, one for rinsing dirty brushes and one clean, so your colours stay bright.",
   "Practise simple exercises, like flat washes and gradients, before attempting a full painting."])

# --------------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------------
T("geography", "deserts_latitude",
  ["Why are so many deserts at around the same latitude?",
   "Why is the Sahara a desert but central Africa is rainforest?",
   "What determines where deserts form?"],
  ["Global air circulation explains much of it, along with a few other factors.",
   "There's a neat pattern behind where most big deserts are."],
  ["Near the equator, hot air rises, cools and drops heavy rain, which is why rainforests are common there.",
   "The air that rises at the equator flows towards the poles high up and sinks around 30 degrees north and south. Sinking air warms and dries, so skies there are mostly clear.",
   "That's why the Sahara, the Arabian Desert, the Kalahari and much of Australia's desert lie near those latitudes.",
   "Rain shadows create deserts too. Mountains force moist air to rise and drop rain on one side, leaving the other side dry.",
   "Cold ocean currents along coasts, such as near the Atacama in Chile, cool the air and reduce rainfall.",
   "Distance from the sea matters as well: the Gobi is dry partly because it's so far inland."])

T("geography", "china_time_zone",
  ["Why does China have only one time zone?",
   "How many time zones does China span, and why does it use just one?",
   "Is it true that China uses a single time zone across the whole country?"],
  ["China is wide enough to span about five time zones geographically, but officially it uses just one.",
   "It's a real quirk, and it has interesting practical effects."],
  ["The whole country uses Beijing time, eight hours ahead of UTC, a policy adopted after 1949.",
   "The single time zone was intended partly to promote national unity and simplify administration.",
   "In the far west, such as Xinjiang, the sun can rise around 9 or 10 in the morning by the official clock in winter.",
   "Many people in Xinjiang also use an unofficial local time two hours behind Beijing time in daily life.",
   "Other large countries made different choices: Russia has eleven time zones and the contiguous United States has four.",
   "India also uses a single time zone, which is five and a half hours ahead of UTC."])

T("geography", "rivers_north",
  ["Is it weird that the Nile flows north?",
   "Don't all rivers flow south?",
   "Why do some rivers flow north?"],
  ["Rivers have no preferred compass direction; they simply flow downhill, and downhill can be any direction.",
   "North-flowing rivers surprise many people, partly because maps put north at the top."],
  ["Rivers simply follow the slope of the land from higher ground to the sea or a lake, whatever the compass direction.",
   "The Nile flows north because its sources in East Africa's highlands are higher than its mouth on the Mediterranean.",
   "Many other rivers flow north too, such as the Ob, Yenisei and Lena in Siberia and the Mackenzie in Canada.",
   "North-flowing rivers in cold regions can flood in spring, because their southern upper reaches thaw while the northern mouths are still frozen.",
   "Putting north at the top of maps is a convention; it doesn't mean north is 'up' in any physical sense.",
   "The Amazon flows mostly east, and the Mississippi mostly south, for the same reason: they follow the land."])

T("geography", "dead_sea",
  ["Why is the Dead Sea so salty?",
   "Can you really float in the Dead Sea?",
   "Why is the Dead Sea shrinking?"],
  ["The Dead Sea is salty because water flows in but has no way out except evaporation.",
   "It's one of the saltiest bodies of water in the world, and it's changing fast."],
  ["The Dead Sea's surface is more than 400 metres below sea level, the lowest land point on Earth's surface.",
   "Water from the Jordan River flows in, evaporates in the hot, dry climate and leaves its minerals behind.",
   "It's roughly nine to ten times saltier than the ocean, so the water is dense enough that people float easily.",
   "The high salt content means few organisms can live there, hence the name, though some microbes do.",
   "The Dead Sea has been shrinking for decades, mainly because much of the Jordan's water is diverted for farming and drinking before it arrives.",
   "Mineral extraction by evaporation ponds at the southern end also contributes to the water loss."])

T("geography", "mountains_formed",
  ["How are mountains formed?",
   "Why are the Himalayas so high?",
   "Are mountains still growing?"],
  ["Most big mountain ranges form where tectonic plates push against each other.",
   "Mountains are formed, and worn down, over millions of years."],
  ["The Himalayas formed when the Indian plate collided with the Eurasian plate, starting roughly 50 million years ago.",
   "The collision is still happening, and the Himalayas are still rising by a few millimetres a year.",
   "Volcanic mountains, like Mount Fuji or Kilimanjaro, form where molten rock builds up layers at the surface.",
   "Erosion by rivers, ice and wind constantly wears mountains down. Old ranges like the Appalachians were once much taller.",
   "Fossils of sea creatures are found high in the Himalayas, because those rocks formed under an ancient ocean.",
   "Mountains can also form when a block of crust is pushed up along faults, as in parts of the Sierra Nevada."])

# --------------------------------------------------------------------------------------------
# Music
# --------------------------------------------------------------------------------------------
T("music", "barre_chords",
  ["I can't get barre chords to sound clean on guitar. Any tips?",
   "How long does it take to learn barre chords?",
   "My F chord on guitar always buzzes. What am I doing wrong?"],
  ["Barre chords are a famous hurdle for guitarists, and almost everyone struggles with them for a while.",
   "Buzzing barre chords are normal at first; technique matters more than strength."],
  ["Roll your index finger slightly onto its bony outer edge rather than pressing with the soft, flat underside.",
   "Place the barre just behind the fret, not in the middle of the gap, so you need less pressure.",
   "Use the weight of your arm, pulling back slightly, rather than squeezing hard with your thumb.",
   "Check the strings one at a time to find which ones buzz, then adjust just that finger.",
   "Practise the shape for a few minutes daily rather than a long session. It usually takes several weeks to feel comfortable.",
   "If the strings are very high off the fretboard, a guitar shop can adjust the setup, which makes barre chords much easier."])

T("music", "major_minor",
  ["What's the difference between major and minor keys?",
   "Why do minor keys sound sad?",
   "Can you explain major and minor chords simply?"],
  ["Major and minor differ by just one note in the basic chord, but that one note changes the mood.",
   "It's a lovely question because it mixes music theory with culture."],
  ["A major chord is built from a root, a major third four semitones up, and a fifth. C major is C, E and G.",
   "A minor chord lowers the third by a semitone. C minor is C, E flat and G.",
   "Minor keys are often described as sad or serious, and major as bright, but that's partly learned through the music we grow up with.",
   "Plenty of upbeat songs are in minor keys, and some sad songs are in major, so context, tempo and lyrics matter too.",
   "Every major key has a 'relative minor' that shares the same notes: C major and A minor both use only the white keys on a piano.",
   "Try playing C major and C minor one after the other on a keyboard app; hearing the difference teaches more than reading about it."])

T("music", "practice_routine",
  ["How should I structure my piano practice?",
   "I practise every day but don't feel like I'm improving. What's wrong?",
   "How long should I practise an instrument each day?"],
  ["Quality of practice matters far more than the number of minutes.",
   "Progress often stalls when practice turns into just playing through pieces."],
  ["Start with a short warm-up, such as scales or simple exercises, for five to ten minutes.",
   "Work on the hardest passages slowly and in small sections rather than playing the whole piece from the start each time.",
   "Use a metronome, starting slowly and increasing the tempo only when you can play it cleanly.",
   "Set a specific goal for each session, like 'bars 12 to 16 hands together', so you know what you're working on.",
   "For most adult learners, 20 to 45 focused minutes a day is more effective than occasional long sessions.",
   "Record yourself every couple of weeks. It helps you hear progress and problems you miss while playing."])

T("music", "sheet_music",
  ["How do I learn to read sheet music?",
   "Is it worth learning to read music if I play by ear?",
   "What's the easiest way to learn the notes on the staff?"],
  ["Reading music is a learnable skill, and a little goes a long way.",
   "It's worth learning, even if you mostly play by ear, because it opens up a lot of material."],
  ["Start with the treble clef. The lines from bottom to top are E, G, B, D, F, often remembered as 'Every Good Boy Deserves Fudge'.",
   "The spaces in the treble clef spell FACE from bottom to top.",
   "Learn rhythm separately from pitch: clap rhythms before worrying about which notes they are.",
   "Use landmark notes such as middle C and read other notes by counting steps from them, rather than memorising every note at once.",
   "Practise a little every day with very simple music. Sight-reading improves with lots of easy reading, not a few hard pieces.",
   "Reading and playing by ear complement each other. Many great musicians do both."])

# --------------------------------------------------------------------------------------------
# Film
# --------------------------------------------------------------------------------------------
T("film", "film_noir",
  ["What is film noir?",
   "Can you recommend some classic film noir to start with?",
   "What makes a film 'noir'?"],
  ["Film noir is a style of crime film associated especially with Hollywood in the 1940s and 1950s.",
   "Noir is more a mood and a visual style than a strict genre."],
  ["Typical features are cynical heroes, morally grey characters, a femme fatale and a sense of fatalism.",
   "The look is distinctive: high-contrast black-and-white lighting, deep shadows and night-time city streets.",
   "The term was coined by French critics after the war, who noticed a darker tone in American films.",
   "Good starting points include Double Indemnity from 1944, The Maltese Falcon from 1941 and The Third Man from 1949.",
   "Many noirs were adapted from hardboiled crime novels by writers such as Raymond Chandler and Dashiell Hammett.",
   "Later films like Chinatown and Blade Runner are often called neo-noir because they borrow the style."])

T("film", "frame_rates",
  ["Why are films shot at 24 frames per second?",
   "Why do some films look weird and too smooth on my new TV?",
   "What's the 'soap opera effect'?"],
  ["The 24 fps standard is partly historical, and it shapes how we expect films to look.",
   "Frame rate shapes how a film feels, and the TV you watch it on can change it too."],
  ["24 frames per second became standard with sound films in the late 1920s, as a compromise between smooth motion and the cost of film stock.",
   "Because audiences have watched films at 24 fps for so long, its slight motion blur has come to feel 'cinematic'.",
   "Many TVs add motion smoothing, which invents in-between frames. That creates the very smooth look people call the soap opera effect.",
   "You can usually turn it off in the picture settings; names vary by brand, such as motion smoothing or a 'motion' setting.",
   "Many TVs now have a filmmaker mode that turns off this kind of processing automatically.",
   "A few films have experimented with higher frame rates, such as 48 fps, with mixed reactions from audiences."])

T("film", "hitchcock_start",
  ["Where should I start with Alfred Hitchcock's films?",
   "Which Hitchcock films are worth watching first?",
   "I've never seen a Hitchcock film. Which one should I watch?"],
  ["Hitchcock made over 50 features, so it helps to start with a few of his most celebrated.",
   "Great choice: many of his films still feel remarkably modern."],
  ["Rear Window from 1954 is a perfect starting point: a man confined to his flat becomes convinced a neighbour has committed a crime.",
   "North by Northwest from 1959 is a fun, fast-paced adventure with the famous crop-duster scene.",
   "Vertigo from 1958 is slower and more haunting, and it's often ranked among the greatest films ever made.",
   "Psycho from 1960 is iconic, though it's worth trying to watch it without knowing the twists.",
   "His British films, like The 39 Steps from 1935 and The Lady Vanishes from 1938, are lighter and great fun.",
   "Hitchcock famously distinguished surprise from suspense: suspense is when the audience knows about the bomb under the table and the characters don't."])

# --------------------------------------------------------------------------------------------
# Books and reading
# --------------------------------------------------------------------------------------------
T("books", "read_more",
  ["How can I read more books? I never seem to finish any.",
   "I used to love reading but now I can't focus on a book. Any tips?",
   "How do people read 50 books a year?"],
  ["Reading more is usually about making it easy and enjoyable, not about willpower.",
   "Losing the reading habit is common, and it can come back with small changes."],
  ["Carry a book or e-reader everywhere so you can read in small gaps, like on the bus or in a queue.",
   "Give yourself permission to abandon books you're not enjoying. Slogging through one stalls the whole habit.",
   "Read before bed instead of scrolling, and leave your phone in another room.",
   "Choose books that are genuinely fun for you. Short novels or page-turners are great for rebuilding momentum.",
   "Audiobooks count. They're a good way to read while commuting, cooking or walking.",
   "Start with just ten pages a day. Small, consistent amounts add up to a lot of books over a year."])

T("books", "book_club",
  ["I'm hosting my first book club meeting. How do I keep the discussion going?",
   "What are good discussion questions for a book club?",
   "How do I run a book club that people actually want to come back to?"],
  ["A few good open questions and a relaxed atmosphere make most book clubs work.",
   "Congratulations on starting one. The host's main job is to get everyone talking."],
  ["Open with an easy round: everyone gives the book a score out of ten and one sentence why.",
   "Ask about characters: who did you relate to, who frustrated you, and did anyone change?",
   "Ask about choices the author made: why tell it from this viewpoint, or why end it like that?",
   "Invite disagreement. 'Did anyone dislike it?' often leads to the best discussions.",
   "Make sure quieter members get a chance by asking them directly but gently.",
   "Let the group take turns choosing books. Mixing genres keeps things fresh and shares ownership."])

T("books", "classics_for_reluctant",
  ["I hated the classics we read at school. Is there any classic novel I might actually enjoy?",
   "Can you recommend some readable classic novels?",
   "Which classic books are genuinely fun to read?"],
  ["Many classics are much more enjoyable when you choose them yourself, without an exam hanging over you.",
   "It depends on your taste, but several classics are real page-turners."],
  ["Frankenstein by Mary Shelley is short, strange and more thoughtful than the films suggest.",
   "The Count of Monte Cristo by Alexandre Dumas is a long but gripping revenge adventure. A good modern translation helps.",
   "Pride and Prejudice by Jane Austen is funnier than its reputation; try it if you like sharp dialogue.",
   "The Great Gatsby by F. Scott Fitzgerald is short and beautifully written, and it reads differently as an adult.",
   "Agatha Christie's And Then There Were None is a classic mystery that's hard to put down.",
   "Try an audiobook version of a classic; a good narrator can make older prose much easier to follow."])

T("books", "speed_reading",
  ["Does speed reading actually work?",
   "Can I train myself to read twice as fast?",
   "Are speed reading apps worth it?"],
  ["The evidence suggests dramatic speed reading claims are mostly too good to be true.",
   "Honestly, there's a trade-off between speed and understanding that training can't fully get around."],
  ["Research on speed reading generally finds that large increases in speed come with a drop in comprehension.",
   "Apps that flash one word at a time can feel fast, but they make it hard to re-read, which readers do more often than they realise.",
   "Skimming is a useful skill for getting the gist of something, as long as you know you're skimming.",
   "The most reliable way to read faster over time is to read a lot and build vocabulary and background knowledge.",
   "It's fine to read different things at different speeds: slowly for a dense textbook, quickly for a light novel.",
   "Cutting distractions, like keeping your phone away, usually speeds up reading more than any technique."])


# Some wordings ask about one specific aspect of a topic; an answer to such a wording must include
# at least one of the listed tips (topic id -> {wording index: [tip indices]}).
FOCUS: dict[str, dict[int, list[int]]] = {
    "salty_soup": {2: [1]}, "knife_sharpening": {1: [0], 2: [1, 5]}, "cast_iron": {1: [3], 2: [0]},
    "baking_substitutes": {0: [0, 1], 1: [0, 1]}, "spice_storage": {1: [0], 2: [2]},
    "lost_passport": {0: [1, 2], 1: [1, 2], 2: [0, 4]}, "pyramids": {1: [0, 2], 2: [0]},
    "ww1_causes": {1: [0, 1]}, "silk_road": {1: [0, 1]}, "blue_sky": {2: [4]}, "tides": {1: [1]},
    "photosynthesis": {2: [3]}, "black_holes": {1: [0, 2, 3], 2: [1, 4]},
    "earthquakes": {1: [2], 2: [3, 4]}, "rainbows": {1: [3], 2: [4]},
    "microwave": {1: [2, 3, 4, 5], 2: [1]}, "ice_floats": {2: [3]},
    "static_lightning": {0: [0], 1: [1, 2], 2: [3, 4]}, "percent_change": {1: [2, 3], 2: [1, 2]},
    "pythagoras": {2: [1, 2]}, "infinite_primes": {2: [0]}, "passive_voice": {2: [3, 4]},
    "comma_splice": {1: [1, 2, 3, 4], 2: [2, 5]}, "new_script": {0: [0, 5], 1: [1]},
    "immersion_home": {1: [0, 5]}, "container_tomatoes": {2: [0, 4]},
    "overwatering": {2: [0, 4, 5]}, "start_compost": {1: [1, 2, 4], 2: [0, 3]},
    "lawn_patches": {2: [0]}, "pruning_roses": {0: [0, 2]}, "aquarium_cycling": {0: [1, 2], 1: [0, 1], 2: [0, 1]},
    "dripping_tap": {2: [5]}, "squeaky_door": {2: [1]}, "draughty_windows": {2: [1, 2, 4, 5]},
    "git_branches": {2: [3]}, "big_o": {1: [0, 1]},
    "first_language": {1: [0, 1]}, "what_is_api": {2: [0]}, "career_change": {1: [2]},
    "difficult_coworker": {0: [0, 2, 5], 1: [0, 3]}, "decline_wedding": {2: [1]},
    "thank_you_notes": {1: [1, 2], 2: [4]}, "learn_knitting": {1: [0, 1]}, "birdwatching": {1: [0, 1]},
    "watercolour": {0: [0, 1], 1: [2, 3]}, "deserts_latitude": {1: [0, 1]},
    "dead_sea": {1: [2], 2: [4, 5]}, "mountains_formed": {1: [0, 1], 2: [1, 3]},
    "barre_chords": {1: [4]}, "major_minor": {1: [2, 3]}, "practice_routine": {2: [4]},
    "sheet_music": {1: [5], 2: [0, 1, 3]}, "film_noir": {1: [3]},
    "frame_rates": {0: [0, 1], 1: [2, 3, 4], 2: [2]}, "speed_reading": {2: [1]},
    "thank_you_notes": {0: [0, 5], 1: [1, 2], 2: [4]}, "book_club": {1: [1, 2, 3]}, "classes_objects": {0: [0], 2: [3, 4]},
}

# Tips that carry the main answer to a topic's general wordings (default: the first three).
# Every answer includes at least one of them, so no reply consists only of side remarks.
CORE: dict[str, list[int]] = {
    "salty_soup": [0, 3], "pyramids": [1, 2, 3], "silk_road": [1, 2, 3], "blue_sky": [0, 1, 2, 5],
    "evolution_monkeys": [0, 1, 2, 4], "microwave": [0, 1], "ice_floats": [0, 1],
    "dividing_fractions": [0, 1, 2, 4], "percent_change": [0, 1, 4], "infinite_primes": [0, 1],
    "new_script": [2, 3, 4], "lawn_patches": [1, 2, 3], "dripping_tap": [2, 3], "squeaky_door": [0, 1],
    "bathroom_sealant": [0, 3], "learn_knitting": [2, 3, 4], "rivers_north": [0, 1], "dead_sea": [1],
    "mountains_formed": [0, 2, 5], "pythagoras": [0, 1], "major_minor": [0, 1], "negative_times_negative": [0, 1, 2, 3],
    "derivative_intuition": [0, 1, 2, 3], "barre_chords": [0, 1, 2, 3], "practice_routine": [0, 1, 2, 3],
}


# --------------------------------------------------------------------------------------------
# User-side wrappers. Prefixes are whole sentences, so the question keeps its own capital letter.
# GENERIC_* fit any question; CONTEXT_* are specific to a category.
# --------------------------------------------------------------------------------------------
GENERIC_PREFIXES = [
    "Quick question. ", "Hi there! ", "Hello, hoping you can help. ", "Okay, random one. ",
    "Something I've been wondering about. ", "Complete beginner here. ",
    "Bit of a basic question, sorry. ", "Hoping for a straight answer. ",
    "I've looked online and found conflicting answers. ", "Not sure who else to ask. ",
    "Been meaning to ask this for ages. ", "Apologies if this is obvious. ", "Hi! ",
    "Morning! ", "Evening. ",
]

GENERIC_SUFFIXES = [
    " Thanks!", " Thanks in advance.", " Keep it short please.", " Any advice appreciated.",
    " Cheers.", " Be honest.", " Practical tips welcome.", " Thank you!",
]

CONTEXT_PREFIXES = {
    "cooking": ["I'm trying to cook at home more. ", "I'm fairly new to cooking. ",
                "I cook most nights for my family. ", "Student here with a tiny kitchen. "],
    "travel": ["I've got a trip coming up next month. ", "I don't travel much. ",
               "Trying to plan ahead for once. "],
    "history": ["I'm reading about this for a book club. ", "Settling a debate with a friend. ",
                "My history lessons never really explained this. "],
    "science": ["Trying to keep up with my kid's questions. ", "I never paid attention in science class. ",
                "Settling an argument from dinner last night. "],
    "maths": ["Maths was never my strong point. ", "Going back to studying after years away. ",
              "This one has always bugged me. "],
    "writing": ["I'm working on my dissertation. ", "English is my second language. ",
                "I write a lot for work. "],
    "language": ["I've been trying to learn a language for a while. ", "I'm moving abroad next year. ",
                 "Languages never came easily to me at school. "],
    "gardening": ["We just moved into a house with a garden. ", "I'm a total novice gardener. ",
                  "Gardening is my new lockdown-era hobby that stuck. "],
    "pets": ["Pet question for you. ", "We're a busy household with two kids. ", "Animal lover, but no expert. "],
    "home": ["Not very handy, so go easy on me. ", "First time doing any DIY. ",
             "I'm reasonably handy but no expert. "],
    "programming": ["Self-taught, about three months in. ", "I'm doing an online coding course. ",
                    "I'm a designer trying to understand developers better. "],
    "careers": ["Hoping for some practical career advice. ", "I work in an office job. ",
                "Asking for myself, honestly. "],
    "etiquette": ["I'm quite shy. ", "I tend to avoid conflict. ", "I overthink this kind of thing. "],
    "hobbies": ["Looking for a new hobby this winter. ", "Trying to spend less time on screens. "],
    "geography": ["Just watched a documentary about this. ", "This came up at a pub quiz. "],
    "music": ["Adult learner here. ", "I've been teaching myself for about a year. "],
    "film": ["Film night with friends coming up. ", "Trying to watch more older films. "],
    "books": ["Trying to get back into reading this year. ", "Quick bookish question. "],
}

NO_LEAD = {"Great", "Good", "Congratulations", "Yes", "No", "Don't", "Sure", "Happy"}
LEADS = ["", "", "", "", "Good question! ", "Happy to help. ", "Sure. ", "Great question. "]

CLOSINGS = {
    "cooking": ["Taste as you go; recipes are a guide, not a rulebook.", "Enjoy the cooking!",
                "After a couple of tries it becomes second nature."],
    "travel": ["Have a wonderful trip!", "Rules and timetables change, so double-check official sources close to departure.",
               "Enjoy the journey as much as the destination."],
    "history": ["If you'd like, I can suggest a few accessible books on the subject.",
                "It's a rich topic, and historians keep adding to the picture.",
                "Happy to go deeper into any part of it."],
    "science": ["Let me know if you'd like a more detailed version.",
                "It's a nice example of everyday things having surprisingly deep explanations."],
    "maths": ["Try a couple of examples yourself; it sticks much better that way.",
              "Happy to walk through another example if that helps."],
    "writing": ["Like most writing habits, it gets easier with practice.",
                "If you paste a paragraph, I can show you how I'd apply this."],
    "language": ["Consistency beats intensity, so keep going!",
                 "Enjoy the process; every bit of progress counts."],
    "gardening": ["Every garden is different, so watch how your plants respond and adjust.", "Happy growing!"],
    "pets": ["Every animal is an individual, so be patient and adjust to yours.",
             "Progress is rarely a straight line, so celebrate the small wins."],
    "home": ["If you're ever unsure, especially around electrics or gas, call a professional.",
             "Take your time; rushing is how small jobs turn into big ones."],
    "programming": ["The best way to make it stick is to write a tiny example yourself.",
                    "Happy to show a short code example if that would help."],
    "careers": ["Good luck, you've got this.",
                "Everyone's situation is different, so take what's useful and adapt it."],
    "etiquette": ["People usually respond well to honesty delivered kindly.",
                  "You clearly care about getting this right, which is a good start."],
    "hobbies": ["Most of all, have fun with it.", "Everyone starts as a beginner, so be patient with yourself."],
    "geography": ["Geography is full of surprises like this.", "Looking at a physical map makes this even clearer."],
    "music": ["Be patient with yourself; steady practice adds up.", "Have fun making music!"],
    "film": ["Enjoy the viewing!", "Happy watching!"],
    "books": ["Happy reading!", "The best book is the one you actually want to pick up."],
}
GENERIC_CLOSINGS = [
    "Hope that helps!", "Let me know if you'd like more detail on any of this.",
    "If you tell me a bit more about your situation, I can tailor this.", "Good luck!",
    "Feel free to ask a follow-up question.",
]


def make_user(rng: random.Random, cat: str, q: str) -> str:
    r = rng.random()
    if r < 0.30:
        text = q
    elif r < 0.50:
        text = rng.choice(GENERIC_PREFIXES) + q
    elif r < 0.75:
        text = rng.choice(CONTEXT_PREFIXES[cat]) + q
    elif r < 0.90:
        text = q + rng.choice(GENERIC_SUFFIXES)
    else:
        text = rng.choice(CONTEXT_PREFIXES[cat]) + q + rng.choice(GENERIC_SUFFIXES)
    if rng.random() < 0.12:  # casual register: lowercase, no final punctuation
        text = text.lower().rstrip("?.!")
    return text


def make_answer(rng: random.Random, cat: str, opening: str, tips: list[str]) -> str:
    lead = rng.choice(LEADS)
    if opening.split()[0].strip(".,:!") in NO_LEAD:
        lead = ""
    head = lead + opening
    r = rng.random()
    if r < 0.12:
        closing = ""
    elif r < 0.72:
        closing = rng.choice(CLOSINGS[cat])
    else:
        closing = rng.choice(GENERIC_CLOSINGS)
    style = rng.random()
    if style < 0.45:
        body = head + " " + " ".join(tips)
        return body + (" " + closing if closing else "")
    if style < 0.75:
        body = head + "\n\n" + " ".join(tips)
    elif style < 0.92:
        body = head + "\n\n" + "\n".join("- " + t for t in tips)
    else:
        body = head + "\n\n" + "\n".join(f"{i}. {t}" for i, t in enumerate(tips, 1))
    return body + ("\n\n" + closing if closing else "")


def build() -> list[dict]:
    rng = random.Random(SEED)
    rows: list[dict] = []
    seen_users: set[str] = set()
    for topic in TOPICS:
        cat, qs, opens, tips = topic["cat"], topic["qs"], topic["opens"], topic["tips"]
        pairs = list(itertools.combinations(range(len(tips)), 2))
        rng.shuffle(pairs)
        q_order = list(range(len(qs)))
        rng.shuffle(q_order)
        o_start = rng.randrange(len(opens))
        used_by_q: dict[int, set[int]] = {}
        chosen: list[tuple[int, int]] = []
        for k in range(ROWS_PER_TOPIC):
            qi = q_order[k % len(qs)]
            taken = used_by_q.setdefault(qi, set())
            need = set(FOCUS.get(topic["id"], {}).get(qi, CORE.get(topic["id"], [0, 1, 2])))
            free = [p for p in pairs if p not in chosen and set(p) & need]
            # prefer tips this wording has not used yet; never repeat a pair within a topic
            pair = next((p for p in free if not (set(p) & taken)), free[0])
            chosen.append(pair)
            taken.update(pair)
            pair_tips = [tips[i] for i in sorted(pair)]  # tips are written in a sensible reading order
            for _ in range(50):
                user = make_user(rng, cat, qs[qi])
                if user not in seen_users:
                    break
            else:
                raise RuntimeError(f"could not find a fresh wording for {topic['id']}")
            seen_users.add(user)
            opening = opens[(o_start + k) % len(opens)]
            answer = make_answer(rng, cat, opening, pair_tips)
            rows.append({"messages": [{"role": "user", "content": user},
                                      {"role": "assistant", "content": answer}]})
    rng.shuffle(rows)
    return rows


def main() -> None:
    rows = build()
    with OUT.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows from {len(TOPICS)} topics to {OUT}")


if __name__ == "__main__":
    main()
