// Stand-in for `embedded:io/digital` in the Moddable Linux host build (`lin`), which has
// no GPIO. cellmail's Moddable entry opens alarm inputs only when config.alarmInputs is not false,
// and the lin configuration sets it false, so this is linked but never constructed.
class Digital {
	constructor() {
		throw new Error("embedded:io/digital: no digital IO on this platform (set alarmInputs to false)");
	}
}
Digital.Input = 0;
Digital.InputPullUp = 1;
Digital.InputPullDown = 2;
Digital.InputPullUpDown = 3;
Digital.Output = 8;
Digital.OutputOpenDrain = 9;
Digital.Rising = 1;
Digital.Falling = 2;
export default Digital;
